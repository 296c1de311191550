// The unread notifications count behind the badge of the 消息 tab.
import { ref } from "vue";
import { api } from "@/api/client";

export const unread = ref(0);

export async function refreshUnread(): Promise<void> {
  try {
    const { data } = await api.GET("/api/v1/me/notifications", { params: { query: { unread: true, limit: 1 } } });
    if (data) {
      unread.value = data.unread ?? data.total ?? 0;
    }
  } catch {
    // the badge keeps its last value while offline
  }
}
