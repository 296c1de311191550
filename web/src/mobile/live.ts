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
  /** an appointment list voted as one (true) or per person (false) */
  merged?: boolean;
  /** an appointment list's candidates: name and post (名单) */
  candidates?: LiveCandidate[];
  /** after close only: the result (应到, 实到, 赞成, 反对, 弃权, 未按, 通过) */
  result?: LiveResult | null;
}

export interface LiveCandidate {
  name: string;
  post?: string;
}

export interface CandidateResult extends LiveCandidate {
  yes?: number | null;
  no?: number | null;
  abstain?: number | null;
  not_voted?: number | null;
  passed?: boolean;
}

export interface LiveResult {
  expected?: number;
  present?: number;
  yes?: number | null;
  no?: number | null;
  abstain?: number | null;
  not_voted?: number | null;
  passed?: boolean;
  /** votes needed to pass: more than half of ALL members (应到) */
  threshold?: number;
  /** per candidate (appointment lists) */
  candidates?: CandidateResult[];
}

const RESULT_FIELDS = ["expected", "present", "yes", "no", "abstain", "not_voted", "passed", "threshold"] as const;
const CANDIDATE_RESULT_FIELDS = ["name", "post", "yes", "no", "abstain", "not_voted", "passed"] as const;

function picked<T>(source: Record<string, unknown>, names: readonly string[]): T {
  const out: Record<string, unknown> = {};
  for (const name of names) {
    if (name in source) {
      out[name] = source[name];
    }
  }
  return out as T;
}

function listOf(value: unknown): Array<Record<string, unknown>> {
  return Array.isArray(value) ? value.filter((v): v is Record<string, unknown> => Boolean(v) && typeof v === "object")
    : [];
}

function candidatesOf(value: unknown): LiveCandidate[] {
  return listOf(value).filter((c) => typeof c.name === "string")
    .map((c) => ({ name: c.name as string, ...(typeof c.post === "string" && c.post ? { post: c.post } : {}) }));
}

function resultOf(source: Record<string, unknown>): LiveResult {
  const result = picked<LiveResult>(source, RESULT_FIELDS);
  const candidates = listOf(source.candidates);
  if (candidates.length) {
    result.candidates = candidates.map((c) => picked<CandidateResult>(c, CANDIDATE_RESULT_FIELDS));
  }
  return result;
}

/** An appointment list voted per person: one choice per candidate in one ballot (the voting
 * service's rule: kind appointment, not merged, with candidates). */
export function perCandidate(item: LiveItem | null | undefined): boolean {
  return item?.kind === "appointment" && !item.merged && (item.candidates?.length ?? 0) > 0;
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
        mode: item.mode as string, status: item.status as string, merged: Boolean(item.merged),
        candidates: candidatesOf(item.candidates),
        // while open no per-choice count is shown, whatever the mode
        result: closed ? resultOf(item) : null,
      };
    }
    case "item_opened":
      return {
        item_id: Number(data.item_id), title: data.title as string, kind: data.kind as string,
        mode: data.mode as string, status: "open", merged: Boolean(data.merged),
        candidates: candidatesOf(data.candidates), result: null,
      };
    case "vote_closed": {
      const same = current && current.item_id === Number(data.item_id) ? current : null;
      const result = resultOf((data.result as Record<string, unknown>) ?? {});
      return {
        ...(same ?? {}),
        item_id: Number(data.item_id), title: data.title as string, kind: data.kind as string,
        mode: data.mode as string, status: "closed",
        merged: same?.merged ?? Boolean(data.merged),
        candidates: same?.candidates?.length ? same.candidates : candidatesOf(result.candidates),
        result,
      };
    }
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
