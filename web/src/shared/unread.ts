// The unread count behind the 消息 badge of both clients (a deputy's inbox on the phone, the
// staff's shared inbox in the console). Read on navigation and after marking read, and also every
// POLL_MS while the page is visible and when it becomes visible again: a notice that arrives while
// someone stays on one page still shows (there is no push for notifications).
import { ref } from "vue";
import { api } from "@/api/client";

export const POLL_MS = 60_000;
export const unread = ref(0);

export async function fetchUnread(): Promise<void> {
  try {
    const { data } = await api.GET("/api/v1/me/notifications", { params: { query: { unread: true, limit: 1 } } });
    if (data) {
      unread.value = data.unread ?? data.total ?? 0;
    }
  } catch {
    // the badge keeps its last value while the network is down
  }
}

/** Poll while ``hasInbox()`` and the page is visible; returns the function that stops it. */
export function pollUnread(hasInbox: () => boolean, every = POLL_MS): () => void {
  const refreshIfSeen = () => {
    if (hasInbox() && document.visibilityState === "visible") {
      void fetchUnread();
    }
  };
  const timer = setInterval(refreshIfSeen, every);
  document.addEventListener("visibilitychange", refreshIfSeen);
  return () => {
    clearInterval(timer);
    document.removeEventListener("visibilitychange", refreshIfSeen);
  };
}
