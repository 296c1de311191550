// The 承办单位 form's own checks (what can be said without asking the server) and the server's
// 503 explained: a new department whose message queue could not be provisioned is not added.
import type { Problem } from "../../problems";

/** The server's rule for a department code (contracts/departments_amqp.py DEPARTMENT_CODE). */
export const DEPARTMENT_CODE = /^[a-z][a-z0-9_-]{0,31}$/;

export interface DepartmentForm {
  code: string;
  name: string;
  short_name: string;
}

/** Field name → message for what is missing or malformed; `taken`: the codes already in use. */
export function checkDepartment(form: DepartmentForm, creating: boolean, taken: string[]): Record<string, string> {
  const missing: Record<string, string> = {};
  if (creating) {
    const code = form.code.trim();
    if (!code) missing.code = "请填写代码";
    else if (!DEPARTMENT_CODE.test(code)) missing.code = "代码须以小写字母开头，只含小写字母、数字、- 或 _，至多 32 位";
    else if (taken.includes(code)) missing.code = "该代码已被使用";
  }
  if (!form.name.trim()) missing.name = "请填写名称";
  return missing;
}

/** A refused save as the page shows it: a 503 says the message queue could not be opened
 * (for a new department) and what the server said; any other problem is shown as it is. */
export function saveProblem(problem: Problem | null, status: number | null, serverMessage: string,
  creating: boolean): Problem | null {
  if (!problem || status !== 503) return problem;
  const said = serverMessage ? `（${serverMessage}）` : "";
  const message = creating
    ? `承办单位的消息队列未能开通，本单位未新增${said}。您填写的内容已保留，请稍后重试`
    : `服务暂时不可用，未保存${said}。您填写的内容已保留，请稍后重试`;
  return { ...problem, message };
}
