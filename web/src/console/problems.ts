// What went wrong with a call, in Chinese: a 409 says what state things are in and what can be
// done; a validation error names its fields (shown next to them); a network failure offers a
// retry (the page keeps what was typed).
import { errorOf, type ApiError } from "@/api/client";
import { ACTIONS, ASSIGNMENT_ROLE, ASSIGNMENT_STATUS, ERROR_CODES, label, SUGGESTION_STATUS } from "@/shared/labels";
import { beijingTime } from "@/shared/dates";

export interface Problem {
  kind: "conflict" | "fields" | "network" | "forbidden" | "other";
  message: string;
  /** field name → message, for errors shown next to the field */
  fields: Record<string, string>;
}

type Details = Record<string, unknown>;

function statusList(values: unknown, table: Record<string, string>): string {
  return Array.isArray(values) ? values.map((v) => `「${label(table, String(v))}」`).join("、") : "";
}

/** A 409 of the suggestion service, explained: the current state and what can be done. */
export function explainConflict(error: ApiError | null): string {
  const d: Details = error?.details ?? {};
  const action = label(ACTIONS, d.action as string | undefined) || "进行此操作";
  if (d.return_days !== undefined) {
    return `已过退回期限：交办后 ${d.return_days} 天内才能退回（本件交办于 ${beijingTime(d.assigned_at as string)}）。`
      + "如确不属于本单位职责，请联系人大工作人员调整交办。";
  }
  if (d.role === "co") {
    return "本单位是协办单位，不能直接答复：请向主办单位提交协办意见。";
  }
  if (d.role === "lead" || d.role === "separate") {
    return `本单位是${label(ASSIGNMENT_ROLE, d.role as string)}单位，应直接答复代表，不需提交协办意见。`;
  }
  if (d.reply_category !== undefined) {
    return "补充答复只用于 B 类、C 类答复的后续办理结果；本件当前不需要补充答复。";
  }
  if (d.merge_into_status !== undefined) {
    return `不能并入：目标建议当前为「${label(SUGGESTION_STATUS, d.merge_into_status as string)}」，只能并入尚在审查或办理中的建议。`;
  }
  if (d.assignment_status !== undefined && d.action === "decide_extension") {
    return `该单位的交办件当前为「${label(ASSIGNMENT_STATUS, d.assignment_status as string)}」，没有待审批的延期申请`
      + "（可能已由他人审批）。列表已更新为最新状态。";
  }
  if (d.assignment_status !== undefined) {
    const allowed = statusList(d.allowed_from, ASSIGNMENT_STATUS);
    return `本单位的交办件当前为「${label(ASSIGNMENT_STATUS, d.assignment_status as string)}」，不能${action}`
      + (allowed ? `（只有在${allowed}时才能${action}）` : "") + "。页面已更新为最新状态。";
  }
  if (d.version !== undefined && d.expected_version !== undefined) {
    return "保存失败：在您编辑期间，其他人已修改了这条记录。请查看最新内容后重新修改。";
  }
  if (d.status !== undefined) {
    const allowed = statusList(d.allowed_from, SUGGESTION_STATUS);
    return `这件建议当前为「${label(SUGGESTION_STATUS, d.status as string)}」，不能${action}`
      + (allowed ? `（只有在${allowed}时才能${action}）` : "") + "。页面已更新为最新状态。";
  }
  return error?.message ? `当前状态下不能进行此操作（${error.message}）` : ERROR_CODES.CONFLICT;
}

/** The server's (English) field message in Chinese, for the common cases. */
export function fieldMessage(text: string): string {
  if (/required|missing data/i.test(text)) {
    return "填写有误：此项必填";
  }
  if (/length|shorter|longer/i.test(text)) {
    return "填写有误：长度不符合要求";
  }
  if (/must be one of|not a valid choice/i.test(text)) {
    return "填写有误：请从列表中选择";
  }
  if (/date|between/i.test(text)) {
    return `填写有误：日期不在允许范围内（${text}）`;
  }
  return text ? `填写有误：${text}` : "填写有误";
}

function fieldMessages(details: Details): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(details)) {
    const text = Array.isArray(value) ? value.map(String).join("；") : typeof value === "string" ? value : "";
    fields[name] = fieldMessage(text);
  }
  return fields;
}

const TAKEN: Record<string, string> = { phone: "该手机号已登记在其他代表名下", code: "该编号已被使用" };

export function problemOf(status: number, body: unknown): Problem {
  const error = errorOf(body);
  if (status === 409) {
    const details = error?.details ?? {};
    const named = Object.entries(details).filter(([name, value]) => Array.isArray(value) && name !== "allowed_from");
    if (named.length && named.length === Object.keys(details).length) {
      // a value another record already has (a phone, a code): said next to its field
      const fields = Object.fromEntries(named.map(([name]) => [name, TAKEN[name] ?? "与已有记录重复"]));
      return { kind: "fields", message: "与已有记录重复，请修改后再提交", fields };
    }
    return { kind: "conflict", message: explainConflict(error), fields: {} };
  }
  if ((status === 400 || status === 422) && error) {
    return { kind: "fields", message: "请按提示修改后再提交", fields: fieldMessages(error.details ?? {}) };
  }
  if (status === 403) {
    return { kind: "forbidden", message: ERROR_CODES.FORBIDDEN, fields: {} };
  }
  if (status === 503 || status === 504 || status >= 500) {
    return { kind: "network", message: "服务暂时不可用，您填写的内容已保留，请稍后重试", fields: {} };
  }
  return { kind: "other", message: label(ERROR_CODES, error?.code) || `操作失败（${status}）`, fields: {} };
}

export const NETWORK_PROBLEM: Problem = {
  kind: "network", message: "网络连接失败，您填写的内容已保留，请检查网络后重试", fields: {},
};

export interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Run one call; answer its data, or the problem (never throws). */
export async function attempt<T>(call: () => Promise<Answer<T>>): Promise<{ data?: T; problem: Problem | null }> {
  try {
    const { data, error, response } = await call();
    if (response.ok && data !== undefined) {
      return { data, problem: null };
    }
    return { problem: problemOf(response.status, error) };
  } catch {
    return { problem: NETWORK_PROBLEM };
  }
}
