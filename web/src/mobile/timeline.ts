// A suggestion's timeline in plain Chinese: what happened, who did it, when.
import type { components } from "@/api/schema";
import { day } from "@/shared/dates";
import { ASSIGNMENT_ROLE, label, REJECT_REASON, REPLY_CATEGORY, ROLES, SATISFACTION } from "@/shared/labels";

export type TimelineEntry = components["schemas"]["TimelineEntry"];

interface Actor {
  username?: string;
  role?: string;
  subject?: string | null;
}

export interface Step {
  what: string;
  detail: string;
  who: string;
  when: string | undefined;
}

type Names = (code: string) => string;

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function dept(entry: TimelineEntry, departments: Names): string {
  return entry.department ? departments(entry.department) : "承办单位";
}

export function who(actor: Actor | undefined, deputies: Names, departments: Names): string {
  if (!actor || actor.role === "system") {
    return "系统";
  }
  if (actor.role === "deputy") {
    return `代表 ${deputies(actor.subject ?? actor.username ?? "")}`;
  }
  if (actor.role === "department") {
    return departments(actor.subject ?? actor.username ?? "");
  }
  return `${label(ROLES, actor.role)} ${actor.username ?? ""}`.trim();
}

export function describe(entry: TimelineEntry, deputies: Names = (c) => c, departments: Names = (c) => c): Step {
  const d = (entry.details ?? {}) as Record<string, unknown>;
  const due = text(d.due_date) ? `办理期限 ${day(text(d.due_date))}` : "";
  let what: string;
  let detail = "";
  switch (entry.type) {
    case "suggestion_submitted":
      what = "提出建议";
      detail = d.session ? `第 ${String(d.session)} 次会议期间提出` : "闭会期间提出";
      break;
    case "suggestion_accepted":
      what = "立案";
      break;
    case "suggestion_rejected":
      what = "不予立案";
      detail = [label(REJECT_REASON, text(d.reason)), text(d.reason_text)].filter(Boolean).join("：");
      break;
    case "suggestion_merged":
      what = "并案处理";
      detail = text(d.merge_into_number) ? `并入建议 ${text(d.merge_into_number)}` : "";
      break;
    case "suggestion_merged_in":
      what = "并入其他建议";
      detail = text(d.merged_number) ? `建议 ${text(d.merged_number)} 并入本件` : "";
      break;
    case "suggestion_routed":
      what = "分办";
      break;
    case "suggestion_assigned": {
      what = "交办";
      const list = Array.isArray(d.assignments) ? (d.assignments as Array<Record<string, unknown>>) : [];
      detail = list.map((a) => `${departments(text(a.department))}（${label(ASSIGNMENT_ROLE, text(a.role))}，`
        + `办理期限 ${day(text(a.due_date))}）`).join("；");
      break;
    }
    case "suggestion_acknowledged":
      what = `${dept(entry, departments)}签收`;
      break;
    case "suggestion_returned":
      what = `${dept(entry, departments)}退回`;
      detail = text(d.reason);
      break;
    case "suggestion_extension_requested":
      what = `${dept(entry, departments)}申请延期`;
      detail = [due, text(d.reason)].filter(Boolean).join("；");
      break;
    case "suggestion_extension_decided":
      what = d.approved ? "同意延期" : "不同意延期";
      detail = due;
      break;
    case "suggestion_view_sent":
      what = `${dept(entry, departments)}提出协办意见`;
      detail = text(d.content);
      break;
    case "suggestion_replied":
      what = `${dept(entry, departments)}答复`;
      detail = [label(REPLY_CATEGORY, text(d.reply_category)), text(d.content)].filter(Boolean).join("：");
      break;
    case "suggestion_followed_up":
      what = `${dept(entry, departments)}跟踪回访`;
      detail = text(d.content);
      break;
    case "suggestion_evaluated":
      what = `评价：${label(SATISFACTION, text(d.satisfaction))}`;
      detail = text(d.comment);
      break;
    case "suggestion_rehandling_opened":
      what = "重新办理";
      detail = due ? `新的${due}` : "";
      break;
    case "suggestion_closed":
      what = "办结";
      break;
    case "suggestion_withdrawn":
      what = "撤回建议";
      detail = text(d.reason) ? `理由：${text(d.reason)}` : "";
      break;
    case "suggestion_due_soon":
      what = `${dept(entry, departments)}办理期限临近`;
      detail = due;
      break;
    case "suggestion_overdue":
      what = `${dept(entry, departments)}已超过办理期限`;
      detail = due;
      break;
    default:
      what = entry.type ?? "";
  }
  return { what, detail, who: who(entry.actor as Actor | undefined, deputies, departments), when: entry.occurred_at };
}
