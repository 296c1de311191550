// The unread count of the staff's shared notification inbox (raised budget alerts), behind the
// badge of the 消息 menu entry. Read again on every navigation and after marking read; only
// roles with an inbox ask (others would get a 403).
import { ref } from "vue";
import { api } from "@/api/client";

export const INBOX_ROLES = ["staff"];
export const unread = ref(0);

export async function refreshUnread(role: string | null): Promise<void> {
  if (!role || !INBOX_ROLES.includes(role)) {
    unread.value = 0;
    return;
  }
  try {
    const { data } = await api.GET("/api/v1/me/notifications", { params: { query: { unread: true, limit: 1 } } });
    if (data) {
      unread.value = data.unread ?? data.total ?? 0;
    }
  } catch {
    // the badge keeps its last value while the network is down
  }
}
