// The chair's view of a meeting over its live stream (GET /api/v1/meetings/{id}/live, Server-Sent
// Events): attendance, the current item and how many have voted — pushed, never polled. Only
// counts are kept: a named item's tally carries each voter's choice, which the chair view never
// shows (the list of who has not voted comes from /pending: names only).
import { onBeforeUnmount, reactive } from "vue";

export interface ChairItem {
  item_id: number;
  title: string;
  kind: string;
  mode: string;
  status: string;
  voted: number | null;
  not_voted: number | null;
  threshold: number | null;
  passed: boolean | null;
}

export interface ChairState {
  expected: number | null;
  present: number | null;
  item: ChairItem | null;
  /** bumped on every event after which the list of who has not voted may have changed */
  changes: number;
  connected: boolean;
}

export const CHAIR_EVENTS = ["snapshot", "members_added", "member_signed_in", "member_signed_out", "item_opened", "tally_updated",
  "vote_closed"] as const;

const num = (value: unknown): number | null => (typeof value === "number" ? value : null);

/** The state after one event of the stream (pure, so it is unit-tested). */
export function nextChairState(state: ChairState, type: string, data: Record<string, unknown>): ChairState {
  const changes = state.changes + 1;
  switch (type) {
    case "snapshot": {
      if (data.unavailable) {
        return { ...state, changes };
      }
      const item = data.item as Record<string, unknown> | null | undefined;
      return {
        ...state, changes, expected: num(data.expected), present: num(data.present),
        item: item ? {
          item_id: Number(item.item_id), title: String(item.title ?? ""), kind: String(item.kind ?? ""),
          mode: String(item.mode ?? ""), status: String(item.status ?? ""), voted: num(item.voted),
          not_voted: num(item.not_voted), threshold: num(item.threshold),
          passed: typeof item.passed === "boolean" ? item.passed : null,
        } : null,
      };
    }
    case "members_added":
      return { ...state, changes, expected: num(data.expected) ?? state.expected };
    case "member_signed_in":
    case "member_signed_out":
      return { ...state, changes, expected: num(data.expected) ?? state.expected, present: num(data.present) ?? state.present };
    case "item_opened":
      return {
        ...state, changes, item: {
          item_id: Number(data.item_id), title: String(data.title ?? ""), kind: String(data.kind ?? ""),
          mode: String(data.mode ?? ""), status: "open", voted: 0, not_voted: null, threshold: num(data.threshold),
          passed: null,
        },
      };
    case "tally_updated": {
      if (!state.item || state.item.item_id !== Number(data.item_id)) {
        return { ...state, changes };
      }
      return { ...state, changes, present: num(data.present) ?? state.present,
        item: { ...state.item, voted: num(data.voted), not_voted: num(data.not_voted) } };
    }
    case "vote_closed": {
      const result = (data.result ?? {}) as Record<string, unknown>;
      return {
        ...state, changes, item: {
          item_id: Number(data.item_id), title: String(data.title ?? ""), kind: String(data.kind ?? ""),
          mode: String(data.mode ?? ""), status: "closed", voted: num(result.voted), not_voted: num(result.not_voted),
          threshold: num(result.threshold), passed: typeof result.passed === "boolean" ? result.passed : null,
        },
      };
    }
    default:
      return state;
  }
}

export function emptyChairState(): ChairState {
  return { expected: null, present: null, item: null, changes: 0, connected: false };
}

/** Subscribes to the meeting's stream for the life of the component. EventSource sends the
 * session cookie (same origin) and reconnects by itself; a reconnect starts with a snapshot. */
export function useChairLive(meetingId: string) {
  const state = reactive<ChairState>(emptyChairState());
  const source = new EventSource(`/api/v1/meetings/${encodeURIComponent(meetingId)}/live`, { withCredentials: true });
  for (const type of CHAIR_EVENTS) {
    source.addEventListener(type, ((event: MessageEvent<string>) => {
      try {
        Object.assign(state, nextChairState(state, type, JSON.parse(event.data) as Record<string, unknown>));
      } catch {
        // a frame that is not JSON changes nothing
      }
    }) as EventListener);
  }
  source.onopen = () => { state.connected = true; };
  source.onerror = () => { state.connected = false; };
  onBeforeUnmount(() => source.close());
  return state;
}

/** Calls ``onEvent`` for each event of these types on the meeting's stream (for pages that re-read
 * the meeting when someone signs in on a keypad or an item opens or closes elsewhere). */
export function useMeetingEvents(meetingId: string, types: readonly string[], onEvent: (type: string) => void) {
  const source = new EventSource(`/api/v1/meetings/${encodeURIComponent(meetingId)}/live`, { withCredentials: true });
  for (const type of types) {
    source.addEventListener(type, () => onEvent(type));
  }
  onBeforeUnmount(() => source.close());
  return source;
}
