import { describe, expect, it } from "vitest";
import { problemOf } from "@/console/problems";
import { checkDepartment, saveProblem } from "@/console/pages/departments/departmentForm";

const form = (code: string, name = "测试局", short_name = "") => ({ code, name, short_name });

describe("the 承办单位 form's own checks", () => {
  it("asks for a well-formed, unused code when adding", () => {
    expect(checkDepartment(form(""), true, [])).toEqual({ code: "请填写代码" });
    expect(checkDepartment(form("Edu"), true, []).code).toContain("小写字母开头");
    expect(checkDepartment(form("9edu"), true, []).code).toContain("小写字母开头");
    expect(checkDepartment(form("a".repeat(33)), true, []).code).toContain("至多 32 位");
    expect(checkDepartment(form("edu"), true, ["edu", "water"])).toEqual({ code: "该代码已被使用" });
    expect(checkDepartment(form("t-1_x"), true, ["edu"])).toEqual({});
  });

  it("needs a name that is not blank; an edit keeps its code", () => {
    expect(checkDepartment(form("t1", "  "), true, [])).toEqual({ name: "请填写名称" });
    expect(checkDepartment(form("edu", "教育局"), false, ["edu"])).toEqual({});
  });
});

describe("a refused save", () => {
  it("puts the server's field messages next to their fields", () => {
    const problem = problemOf(422, { error: { code: "UNPROCESSABLE", message: "the name is empty",
      details: { name: ["must not be blank"] } } });
    expect(problem.kind).toBe("fields");
    expect(problem.fields.name).toContain("must not be blank");
    expect(saveProblem(problem, 422, "the name is empty", true)).toBe(problem);
  });

  it("says a new department's message queue could not be opened, with the server's message", () => {
    const problem = problemOf(503, { error: { code: "SERVICE_UNAVAILABLE",
      message: "the department's queue could not be provisioned", details: { reason: "ProvisioningError" } } });
    const shown = saveProblem(problem, 503, "the department's queue could not be provisioned", true);
    expect(shown?.kind).toBe("network");                     // offers 重试, keeps what was typed
    expect(shown?.message).toContain("消息队列未能开通");
    expect(shown?.message).toContain("the department's queue could not be provisioned");
    expect(saveProblem(problem, 503, "", false)?.message).toContain("未保存");
    expect(saveProblem(null, null, "", true)).toBeNull();
  });
});
