// The unread notifications count behind the badge of the 消息 tab (src/shared/unread.ts).
export { fetchUnread as refreshUnread, pollUnread, unread } from "@/shared/unread";
