import { describe, expect, it } from "vitest";
import { percent, points, wan, yuan } from "@/console/pages/budget/format";

describe("budget figures as people read them", () => {
  it("shows yuan from the exact decimal string, with thousands separators", () => {
    expect(yuan("1234567.5")).toBe("1,234,567.50");
    expect(yuan("860000.00")).toBe("860,000.00");
    expect(yuan("-12.30")).toBe("-12.30");
    expect(yuan(null)).toBe("—");
  });

  it("shows 万元 with two decimals, rates as percentages and lag in points", () => {
    expect(wan("476501100.00")).toBe("47,650.11");
    expect(percent(0.9206)).toBe("92.1%");
    expect(points(0.389)).toBe("38.9 个百分点");
    expect(percent(undefined)).toBe("—");
  });
});
