// The deputy's own profile page (story 8): what the public sees of me, field by field, and
// what only I (and staff) see. The public part is the gateway's answer to a request WITHOUT
// the session cookie — exactly the public's view, not a copy filtered in the browser.
import { DEPUTY_LEVEL, DEPUTY_STATUS, GENDER, label } from "@/shared/labels";

export interface Row {
  name: string;
  label: string;
  value: string;
}

interface Station {
  code?: string;
  name?: string;
  children?: Station[];
}

/** code → name over the 1 + 10 + 40 station tree. */
export function stationNames(roots: Station[] | null | undefined): Record<string, string> {
  const names: Record<string, string> = {};
  const walk = (nodes: Station[] | undefined) => {
    for (const node of nodes ?? []) {
      if (node.code && node.name) {
        names[node.code] = node.name;
      }
      walk(node.children);
    }
  };
  walk(roots ?? []);
  return names;
}

type Shown = (value: unknown, stations: Record<string, string>) => string;
const text: Shown = (value) => String(value);

/** The fields of a deputy a person reads, in reading order, with how each is shown. */
const PUBLIC_FIELDS: Array<[string, string, Shown]> = [
  ["name", "姓名", text],
  ["code", "代表编号", text],
  ["gender", "性别", (v) => label(GENDER, String(v))],
  ["ethnicity", "民族", text],
  ["birth_year", "出生年份", (v) => `${String(v)}年`],
  ["level", "代表层级", (v) => label(DEPUTY_LEVEL, String(v))],
  ["term", "届次", (v) => `第${String(v)}届`],
  ["town", "所在乡镇", text],
  ["station_code", "联络站", (v, stations) => stations[String(v)] ?? String(v)],
  ["occupation", "职业", text],
  ["status", "状态", (v) => label(DEPUTY_STATUS, String(v))],
];

export const CONTACT_FIELDS: Array<[string, string]> = [["phone", "手机"], ["email", "电子邮箱"]];

/** What the public answer holds, as rows: only fields present in it (empty ones left out). */
export function publicRows(deputy: Record<string, unknown> | null | undefined,
                           stations: Record<string, string> = {}): Row[] {
  if (!deputy) {
    return [];
  }
  return PUBLIC_FIELDS
    .filter(([name]) => deputy[name] !== undefined && deputy[name] !== null && deputy[name] !== "")
    .map(([name, title, shown]) => ({ name, label: title, value: shown(deputy[name], stations) }));
}

/** My contact data (from my own, signed-in answer); 未填写 when there is none. */
export function contactRows(deputy: Record<string, unknown> | null | undefined): Row[] {
  return CONTACT_FIELDS.map(([name, title]) => {
    const value = deputy?.[name];
    return { name, label: title, value: typeof value === "string" && value ? value : "未填写" };
  });
}

