// A refusal of the voting service, explained in Chinese: what state the meeting or the item is
// in, and what can be done (a quorum refusal gives 实到 and the number required).
import { errorOf, type ApiError } from "@/api/client";
import { ERROR_CODES, ITEM_STATUS, label, VOTING_MODE } from "@/shared/labels";
import { fieldMessage, NETWORK_PROBLEM, problemOf, type Problem } from "../../problems";

type Details = Record<string, unknown>;

/** A 409 of the voting service in Chinese. ``titleOf`` names an item by its id. */
export function explainMeetingConflict(error: ApiError | null, titleOf: (id: number) => string = (id) => `第 ${id} 号事项`): string {
  const d: Details = error?.details ?? {};
  if (d.required !== undefined && d.present !== undefined) {
    return `不足法定人数，不能开始表决：应到 ${d.expected} 人，实到 ${d.present} 人，`
      + `须过半数即至少 ${d.required} 人出席。请先为到会的组成人员签到。`;
  }
  if (Array.isArray(d.role_conflicts) && d.role_conflicts.length) {
    const roles: Record<string, string> = { member: "组成人员", observer: "列席人员" };
    return (d.role_conflicts as { deputy_id: string; role: string; wanted: string }[]).map((c) =>
      `${c.deputy_id} 已是本次会议的${roles[c.role] ?? c.role}，不能再作为${roles[c.wanted] ?? c.wanted}添加`).join("；")
      + "。列席人员没有表决权，组成人员与列席人员不能互换。";
  }
  if (d.expected === 0) {
    return "本次会议没有组成人员，不能表决。";
  }
  if (Array.isArray(d.amendments_not_voted)) {
    const names = d.amendments_not_voted.map((id) => `「${titleOf(Number(id))}」`).join("、");
    return `修正案应先于原议案表决：请先表决${names}。`;
  }
  if (d.open_item !== undefined) {
    return `${titleOf(Number(d.open_item))}正在表决中，同一时间只能表决一个事项：请先结束它的表决。`;
  }
  if (d.manual_tally !== undefined) {
    return "本事项以举手或纸质票表决：请先录入计票结果，再结束表决。";
  }
  if (d.amends !== undefined && d.status !== undefined) {
    return `原议案已「${label(ITEM_STATUS, d.status as string)}」，不能再为它添加修正案：修正案须在原议案表决前提出。`;
  }
  if (d.reason === "not_signed_in") {
    return "该组成人员尚未签到，签到后才能表决。";
  }
  if (d.mode !== undefined) {
    const manual = d.mode === "show_of_hands" || d.mode === "paper";
    return manual
      ? `本事项为${label(VOTING_MODE, d.mode as string)}，由工作人员录入计票结果，不接受电子表决。`
      : `本事项为${label(VOTING_MODE, d.mode as string)}，由表决器计票，不需要录入计票结果。`;
  }
  if (d.status !== undefined) {
    const status = label(ITEM_STATUS, d.status as string);
    if (d.status === "pending") {
      return `本事项当前为「${status}」：尚未开始表决，请先开始表决。页面已更新为最新状态。`;
    }
    if (d.status === "closed") {
      return `本事项当前为「${status}」，不能再开始或结束表决。页面已更新为最新状态。`;
    }
    return `本事项当前为「${status}」，不能进行此操作。页面已更新为最新状态。`;
  }
  return error?.message ? `当前状态下不能进行此操作（${error.message}）` : ERROR_CODES.CONFLICT;
}

/** The problem of a failed call of the meetings API: a 409 explained as above, else as elsewhere. */
export function meetingProblemOf(status: number, body: unknown, titleOf?: (id: number) => string): Problem {
  if (status === 409) {
    return { kind: "conflict", message: explainMeetingConflict(errorOf(body), titleOf), fields: {} };
  }
  if (status === 422) {
    const error = errorOf(body);
    const details = error?.details ?? {};
    const members = details.members;
    if (Array.isArray(members) && members.length) {
      return { kind: "fields", message: `组成人员有误：${membersText(details)}`, fields: { members: membersText(details) } };
    }
    const fields: Record<string, string> = {};
    for (const [name, value] of Object.entries(details)) {
      const texts = (Array.isArray(value) ? value : [value]).map((v) => votingRule(String(v)));
      fields[name.startsWith("candidates.") ? "candidates" : name] = texts.join("；");
    }
    if (Object.keys(fields).length) {
      return { kind: "fields", message: `请按提示修改后再提交：${Object.values(fields).join("；")}`, fields };
    }
  }
  return problemOf(status, body);
}

const RULES: [RegExp, (m: RegExpExecArray) => string][] = [
  [/= (\d+) is more than the (\d+) members present/, (m) => `赞成、反对、弃权之和为 ${m[1]}，超过了实到人数 ${m[2]}`],
  [/counts cannot be negative/, () => "票数不能为负数"],
  [/yes, no and abstain are required/, () => "请录入赞成、反对、弃权票数"],
  [/give counts for exactly the candidates/, () => "请为名单上的每一位人选录入票数"],
  [/needs at least one candidate/, () => "任命名单至少要有一名人选"],
  [/removal from office/, () => "撤职须以纸质票表决（系统故障时可举手表决）"],
  [/only appointment lists are merged/, () => "只有任命名单可以合并表决"],
  [/candidate names must be unique/, () => "人选姓名不能重复"],
  [/no item \d+ in this meeting/, () => "所修正的议案不在本次会议中"],
];

/** A rule of the voting service (its English field message) in Chinese. */
export function votingRule(text: string): string {
  for (const [pattern, say] of RULES) {
    const match = pattern.exec(text);
    if (match) {
      return say(match);
    }
  }
  return fieldMessage(text);
}

function membersText(details: Details): string {
  const parts: string[] = [];
  if (Array.isArray(details.unknown) && details.unknown.length) {
    parts.push(`没有这些代表：${details.unknown.join("、")}`);
  }
  if (Array.isArray(details.inactive) && details.inactive.length) {
    parts.push(`已离任：${details.inactive.join("、")}`);
  }
  return parts.length ? parts.join("；") : (details.members as unknown[]).map(String).join("；");
}

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Run one call of the meetings API; answer its data or the problem (never throws). */
export async function attemptMeeting<T>(call: () => Promise<Answer<T>>, titleOf?: (id: number) => string):
  Promise<{ data?: T; problem: Problem | null }> {
  try {
    const { data, error, response } = await call();
    if (response.ok && data !== undefined) {
      return { data, problem: null };
    }
    return { problem: meetingProblemOf(response.status, error, titleOf) };
  } catch {
    return { problem: NETWORK_PROBLEM };
  }
}

/** The command that recounts a closed item from its published audit, independently of the server. */
export function recountCommand(origin: string, meetingId: number | string, itemId: number | string): string {
  return `.venv/bin/python -m tools.recount --url ${origin}/api/v1/meetings/${meetingId}/items/${itemId}/audit`;
}
