import { describe, expect, it } from "vitest";
import { nextItem, perCandidate } from "@/mobile/live";

describe("keypad live stream", () => {
  it("shows the item the chair opens, without counts while it is open", () => {
    const snapshot = nextItem(null, "snapshot", {
      item: { item_id: 7, title: "关于预算调整的决议", mode: "secret", status: "open", yes: 3, no: 1, voted: 4 },
    });
    expect(snapshot).toMatchObject({ item_id: 7, status: "open", result: null });
    const opened = nextItem(null, "item_opened", { item_id: 8, title: "下一项", mode: "secret" });
    expect(opened).toMatchObject({ item_id: 8, title: "下一项", status: "open", result: null });
    expect(nextItem(opened, "tally_updated", { item_id: 8, voted: 5, yes: 2 })).toBe(opened);
  });

  it("shows the result once the item is closed", () => {
    const closed = nextItem({ item_id: 8, status: "open" }, "vote_closed", {
      item_id: 8, title: "下一项", mode: "secret",
      result: { expected: 5, present: 4, yes: 3, no: 1, abstain: 0, not_voted: 0, passed: true, threshold: 3 },
    });
    expect(closed).toMatchObject({ status: "closed", result: { expected: 5, yes: 3, passed: true } });
  });

  it("knows an appointment list voted per person from one voted as a whole", () => {
    const candidates = [{ name: "甲某", post: "局长" }, { name: "乙某", post: "" }];
    const opened = nextItem(null, "item_opened", { item_id: 9, kind: "appointment", mode: "secret", merged: false,
      candidates });
    expect(opened?.candidates).toEqual([{ name: "甲某", post: "局长" }, { name: "乙某" }]);
    expect(perCandidate(opened)).toBe(true);
    expect(perCandidate(nextItem(null, "item_opened", { item_id: 9, kind: "appointment", merged: true, candidates })))
      .toBe(false);
    expect(perCandidate(nextItem(null, "item_opened", { item_id: 9, kind: "resolution" }))).toBe(false);
  });

  it("keeps each candidate's result after close, and no count while open", () => {
    const open = nextItem(null, "snapshot", { item: { item_id: 9, kind: "appointment", status: "open", merged: false,
      candidates: [{ name: "甲某", yes: null }, { name: "乙某", yes: null }] } });
    expect(open?.result).toBeNull();
    const closed = nextItem(open, "vote_closed", { item_id: 9, kind: "appointment", mode: "secret", result: {
      expected: 3, present: 3, yes: null, threshold: 2, passed: false,
      candidates: [{ name: "甲某", yes: 2, no: 1, abstain: 0, not_voted: 0, passed: true },
        { name: "乙某", yes: 1, no: 1, abstain: 0, not_voted: 1, passed: false }] } });
    expect(perCandidate(closed)).toBe(true);
    expect(closed?.result?.candidates?.map((c) => [c.name, c.yes, c.passed])).toEqual([["甲某", 2, true], ["乙某", 1, false]]);
    expect(closed?.result?.threshold).toBe(2);
  });
});
