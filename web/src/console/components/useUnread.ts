// The unread count of the staff's shared notification inbox (raised budget alerts), behind the
// badge of the 消息 menu entry (src/shared/unread.ts: on navigation, after marking read, and
// polled while the page is visible). Only roles with an inbox ask (others would get a 403).
import { fetchUnread, unread } from "@/shared/unread";

export { pollUnread, unread } from "@/shared/unread";
export const INBOX_ROLES = ["staff"];

export function hasInbox(role: string | null): boolean {
  return !!role && INBOX_ROLES.includes(role);
}

export async function refreshUnread(role: string | null): Promise<void> {
  if (!hasInbox(role)) {
    unread.value = 0;
    return;
  }
  await fetchUnread();
}
