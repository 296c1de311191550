// The meeting's live stream (GET /api/v1/meetings/{id}/live, Server-Sent Events) as the
// keypad needs it: the current item, pushed when the chair opens or closes it — not polled.
// EventSource sends the session cookie (same origin) and reconnects by itself (Last-Event-ID).
import { onBeforeUnmount, ref } from "vue";

export interface LiveItem {
  item_id: number;
  title?: string;
  kind?: string;
  mode?: string;
  status?: string;
  /** after close only: the result (应到, 实到, 赞成, 反对, 弃权, 未按, 通过) */
  result?: LiveResult | null;
}

export interface LiveResult {
  expected?: number;
  present?: number;
  yes?: number;
  no?: number;
  abstain?: number;
  not_voted?: number;
  passed?: boolean;
}

const RESULT_FIELDS = ["expected", "present", "yes", "no", "abstain", "not_voted", "passed"] as const;

function resultOf(source: Record<string, unknown>): LiveResult {
  const result: Record<string, unknown> = {};
  for (const name of RESULT_FIELDS) {
    if (name in source) {
      result[name] = source[name];
    }
  }
  return result as LiveResult;
}

/** The current item after one event of the stream (pure, so it is unit-tested). */
export function nextItem(current: LiveItem | null, type: string, data: Record<string, unknown>): LiveItem | null {
  switch (type) {
    case "snapshot": {
      const item = data.item as Record<string, unknown> | null | undefined;
      if (!item) {
        return null;
      }
      const closed = item.status === "closed";
      return {
        item_id: Number(item.item_id), title: item.title as string, kind: item.kind as string,
        mode: item.mode as string, status: item.status as string,
        // while open no per-choice count is shown, whatever the mode
        result: closed ? resultOf(item) : null,
      };
    }
    case "item_opened":
      return {
        item_id: Number(data.item_id), title: data.title as string, kind: data.kind as string,
        mode: data.mode as string, status: "open", result: null,
      };
    case "vote_closed":
      return {
        ...(current && current.item_id === Number(data.item_id) ? current : {}),
        item_id: Number(data.item_id), title: data.title as string, kind: data.kind as string,
        mode: data.mode as string, status: "closed",
        result: resultOf((data.result as Record<string, unknown>) ?? {}),
      };
    default:
      return current;   // tally_updated and the rest: nothing per choice on this screen
  }
}

export function useMeetingLive(meetingId: string) {
  const item = ref<LiveItem | null>(null);
  const connected = ref(false);
  const source = new EventSource(`/api/v1/meetings/${encodeURIComponent(meetingId)}/live`, { withCredentials: true });
  const handle = (type: string) => (event: MessageEvent<string>) => {
    try {
      item.value = nextItem(item.value, type, JSON.parse(event.data) as Record<string, unknown>);
    } catch {
      // a frame that is not JSON changes nothing
    }
  };
  for (const type of ["snapshot", "item_opened", "vote_closed"]) {
    source.addEventListener(type, handle(type) as EventListener);
  }
  source.onopen = () => { connected.value = true; };
  source.onerror = () => { connected.value = false; };
  onBeforeUnmount(() => source.close());
  return { item, connected };
}
