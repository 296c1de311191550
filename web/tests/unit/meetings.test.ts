import { describe, expect, it } from "vitest";
import { emptyChairState, nextChairState } from "@/console/pages/meetings/chairLive";
import { committeeMeeting, startsAtIso, tomorrowMorning } from "@/console/pages/meetings/committee";
import { explainMeetingConflict, meetingProblemOf, recountCommand } from "@/console/pages/meetings/meetingProblems";

const conflict = (details: Record<string, unknown>) => ({ code: "CONFLICT", message: "m", details });

describe("a voting refusal explained in Chinese", () => {
  it("gives present and required when there is no quorum", () => {
    const text = explainMeetingConflict(conflict({ present: 1, expected: 3, required: 2 }));
    expect(text).toContain("不足法定人数");
    expect(text).toContain("应到 3 人，实到 1 人");
    expect(text).toContain("至少 2 人出席");
  });

  it("names the amendment to vote first and the item already open", () => {
    const titles = (id: number) => (id === 7 ? "第 2 项「修正案」" : "第 1 项「决议」");
    expect(explainMeetingConflict(conflict({ amendments_not_voted: [7] }), titles)).toContain("请先表决「第 2 项「修正案」」");
    expect(explainMeetingConflict(conflict({ open_item: 5 }), titles)).toContain("第 1 项「决议」正在表决中");
  });

  it("says who is already in the meeting in the other role", () => {
    const text = explainMeetingConflict(conflict({ role_conflicts: [{ deputy_id: "D0002", role: "member", wanted: "observer" }] }));
    expect(text).toContain("D0002 已是本次会议的组成人员，不能再作为列席人员添加");
  });

  it("says the item's state and what a manual item needs", () => {
    expect(explainMeetingConflict(conflict({ status: "closed" }))).toContain("「表决已结束」");
    expect(explainMeetingConflict(conflict({ status: "pending" }))).toContain("请先开始表决");
    expect(explainMeetingConflict(conflict({ manual_tally: null }))).toContain("请先录入计票结果");
    expect(explainMeetingConflict(conflict({ mode: "secret" }))).toContain("不需要录入计票结果");
  });

  it("never treats a list in a 409 as a duplicated field, and names unknown members", () => {
    const problem = meetingProblemOf(409, { error: conflict({ amendments_not_voted: [3] }) });
    expect(problem.kind).toBe("conflict");
    const members = meetingProblemOf(422, { error: { code: "VALIDATION_ERROR", message: "invalid members",
      details: { members: ["unknown deputies: D9999"], unknown: ["D9999"], inactive: [] } } });
    expect(members.fields.members).toContain("没有这些代表：D9999");
  });

  it("says a broken voting rule in Chinese next to its field", () => {
    const tally = meetingProblemOf(422, { error: { code: "VALIDATION_ERROR", message: "invalid tally",
      details: { counts: ["yes + no + abstain = 4 is more than the 3 members present"] } } });
    expect(tally.fields.counts).toBe("赞成、反对、弃权之和为 4，超过了实到人数 3");
    expect(tally.message).toContain("超过了实到人数 3");
    const item = meetingProblemOf(422, { error: { code: "VALIDATION_ERROR", message: "invalid item",
      details: { candidates: ["an appointment list needs at least one candidate"] } } });
    expect(item.fields.candidates).toBe("任命名单至少要有一名人选");
  });

  it("writes the recount command for a closed item", () => {
    expect(recountCommand("http://127.0.0.1:8080", 4, 9))
      .toBe(".venv/bin/python -m tools.recount --url http://127.0.0.1:8080/api/v1/meetings/4/items/9/audit");
  });
});

describe("the chair's live view", () => {
  it("follows sign-ins, an opening, ballots counted and the close — counts only", () => {
    let state = nextChairState(emptyChairState(), "snapshot", { expected: 2, present: 1, item: null });
    state = nextChairState(state, "members_added", { expected: 3, members: ["D0003"] });
    state = nextChairState(state, "member_signed_in", { present: 2, expected: 3, deputy_id: "D0001" });
    expect([state.expected, state.present]).toEqual([3, 2]);
    state = nextChairState(state, "item_opened", { item_id: 9, title: "决议", kind: "resolution", mode: "named", threshold: 2 });
    expect(state.item?.status).toBe("open");
    state = nextChairState(state, "tally_updated", { item_id: 9, voted: 1, not_voted: 1, present: 2,
      voters: [{ deputy_id: "D0001", choice: "yes" }] });
    expect(state.item?.voted).toBe(1);
    expect(JSON.stringify(state)).not.toContain("D0001");     // a named item's choices are never kept
    const before = state.changes;
    state = nextChairState(state, "vote_closed", { item_id: 9, title: "决议", kind: "resolution", mode: "named",
      result: { voted: 2, passed: true, threshold: 2 } });
    expect(state.item?.status).toBe("closed");
    expect(state.item?.passed).toBe(true);
    expect(state.changes).toBe(before + 1);
  });

  it("ignores a tally of another item", () => {
    const open = nextChairState(emptyChairState(), "item_opened", { item_id: 1, title: "a" });
    expect(nextChairState(open, "tally_updated", { item_id: 2, voted: 5 }).item?.voted).toBe(0);
  });
});

describe("picking the standing committee and the start", () => {
  it("takes the largest recent standing-committee meeting, the newest of equals", () => {
    const chosen = committeeMeeting([
      { id: 9, title: "小组", kind: "standing_committee", expected: 1 },
      { id: 8, title: "主任会议", kind: "chairpersons", expected: 40 },
      { id: 7, title: "第二十二次", kind: "standing_committee", expected: 25 },
      { id: 6, title: "第二十一次", kind: "standing_committee", expected: 25 },
    ]);
    expect(chosen?.id).toBe(7);
    expect(committeeMeeting([])).toBeNull();
  });

  it("reads a Beijing time as staff type it", () => {
    expect(startsAtIso("2026-12-05 09:00")).toBe("2026-12-05T09:00:00+08:00");
    expect(startsAtIso("2026-02-30 09:00")).toBeNull();
    expect(startsAtIso("明天上午")).toBeNull();
    expect(tomorrowMorning(new Date("2026-12-02T20:00:00Z"))).toBe("2026-12-04 09:00");
  });
});
