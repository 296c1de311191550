import { describe, expect, it } from "vitest";
import { nextItem } from "@/mobile/live";

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
});
