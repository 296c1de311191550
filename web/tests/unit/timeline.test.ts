import { describe, expect, it } from "vitest";
import { describe as step } from "@/mobile/timeline";

const staff = { username: "staff", role: "staff", subject: null };

describe("suggestion timeline in plain Chinese", () => {
  it("names the departments, their roles and due dates when assigned", () => {
    const entry = {
      type: "suggestion_assigned", actor: staff, occurred_at: "2026-12-01T02:00:00+00:00",
      details: { assignments: [{ department: "edu", role: "lead", due_date: "2027-03-01" }] },
    };
    const s = step(entry, (c) => c, (c) => (c === "edu" ? "县教育局" : c));
    expect(s.what).toBe("交办");
    expect(s.detail).toBe("县教育局（主办，办理期限 2027/03/01）");
    expect(s.who).toBe("人大工作人员 staff");
  });

  it("tells a reply, an evaluation and a re-handling", () => {
    const dept = { username: "dept-edu", role: "department", subject: "edu" };
    expect(step({ type: "suggestion_replied", actor: dept, department: "edu",
                  details: { reply_category: "A", content: "已解决" } }, (c) => c, () => "县教育局"))
      .toMatchObject({ what: "县教育局答复", detail: "A类（已解决或采纳）：已解决", who: "县教育局" });
    expect(step({ type: "suggestion_evaluated", actor: { role: "deputy", subject: "D0001" },
                  details: { satisfaction: "unsatisfied", comment: "没解决" } }, () => "张三"))
      .toMatchObject({ what: "评价：不满意", detail: "没解决", who: "代表 张三" });
    expect(step({ type: "suggestion_rehandling_opened", details: { due_date: "2027-01-31" } }).detail)
      .toBe("新的办理期限 2027/01/31");
  });
});
