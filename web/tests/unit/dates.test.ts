import { describe, expect, it } from "vitest";
import { beijingDay, beijingTime, daysLeft, daysLeftText } from "@/shared/dates";

describe("dates in Beijing time", () => {
  it("takes the calendar day in Beijing, not in the browser's zone", () => {
    expect(beijingDay(new Date("2026-03-01T17:30:00Z"))).toBe("2026-03-02");
    expect(beijingTime("2026-03-01T17:30:00+00:00")).toBe("2026-03-02 01:30");
    expect(beijingTime("2026-03-05")).toBe("2026-03-05");
    expect(beijingTime(null)).toBe("");
  });

  it("counts the days left to a due date, negative when overdue", () => {
    const now = new Date("2026-03-01T17:30:00Z");            // 2 March in Beijing
    expect(daysLeft("2026-03-12", now)).toBe(10);
    expect(daysLeft("2026-03-02", now)).toBe(0);
    expect(daysLeft("2026-02-27", now)).toBe(-3);
    expect([10, 0, -3].map(daysLeftText)).toEqual(["剩余 10 天", "今天到期", "逾期 3 天"]);
  });
});
