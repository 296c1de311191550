import { describe, expect, it } from "vitest";
import { explainConflict, problemOf } from "@/console/problems";

const conflict = (details: Record<string, unknown>) => ({ code: "CONFLICT", message: "m", details });

describe("a refusal explained in Chinese", () => {
  it("says what state the suggestion is in and when the action is possible", () => {
    const text = explainConflict(conflict({ status: "withdrawn", action: "acknowledge",
      allowed_from: ["assigned", "acknowledged"] }));
    expect(text).toContain("这件建议当前为「已撤回」，不能签收");
    expect(text).toContain("「已交办」、「办理中」");
  });

  it("explains the assignment's own state, the return window and a co-handler's reply", () => {
    expect(explainConflict(conflict({ status: "assigned", assignment_status: "replied", action: "return",
      allowed_from: ["assigned", "acknowledged"] }))).toContain("本单位的交办件当前为「已答复」，不能退回");
    expect(explainConflict(conflict({ status: "assigned", return_days: 7,
      assigned_at: "2026-03-01T02:00:00+00:00" }))).toContain("交办后 7 天内才能退回（本件交办于 2026-03-01 10:00）");
    expect(explainConflict(conflict({ status: "assigned", role: "co" }))).toContain("协办单位，不能直接答复");
    expect(explainConflict(conflict({ version: 3, expected_version: 2 }))).toContain("其他人已修改");
  });

  it("puts validation errors next to their fields and offers a retry when the service is down", () => {
    const fields = problemOf(400, { error: { code: "VALIDATION_ERROR", message: "x",
      details: { reason_text: ["required for 'other'"] } } });
    expect(fields.kind).toBe("fields");
    expect(fields.fields.reason_text).toBe("填写有误：此项必填");
    expect(problemOf(503, null).kind).toBe("network");
  });
});

describe("a value already taken", () => {
  it("is said next to its field", () => {
    const taken = problemOf(409, { error: { code: "CONFLICT", message: "phone already registered",
      details: { phone: ["another deputy has this phone number"] } } });
    expect(taken.kind).toBe("fields");
    expect(taken.fields.phone).toBe("该手机号已登记在其他代表名下");
  });
});
