// API validation errors → one Chinese message per field, shown next to that field.
import type { ApiError } from "@/api/client";

const PATTERNS: Array<[RegExp, string]> = [
  [/missing data|required|may not be null|field may not be/i, "此项必填"],
  [/at least (\d+) bytes/i, "至少 $1 个字节（一个汉字 3 个字节）"],
  [/at most (\d+) bytes/i, "最多 $1 个字节"],
  [/not be the username/i, "不能与用户名相同"],
  [/one character repeated/i, "不能是同一个字符重复"],
  [/too common/i, "过于常见，请换一个不易被猜到的密码"],
  [/must differ/i, "新密码不能与当前密码相同"],
  [/does not match/i, "当前密码不正确"],
  [/length must be between (\d+) and (\d+)/i, "长度应在 $1 到 $2 个字之间"],
  [/shorter than minimum length (\d+)/i, "至少 $1 个字"],
  [/longer than maximum length (\d+)/i, "最多 $1 个字"],
  [/must be one of/i, "请从列表中选择"],
  [/unknown|not found|no such/i, "不存在，请重新选择"],
  [/not a valid integer/i, "请填写数字"],
];

export function chinese(message: string): string {
  for (const [pattern, text] of PATTERNS) {
    const match = message.match(pattern);
    if (match) {
      return text.replace(/\$(\d)/g, (_, n: string) => match[Number(n)] ?? "");
    }
  }
  return message;
}

function messagesOf(value: unknown): string[] {
  if (typeof value === "string") {
    return [value];
  }
  if (Array.isArray(value)) {
    return value.flatMap(messagesOf);
  }
  if (value && typeof value === "object") {
    return Object.values(value).flatMap(messagesOf);
  }
  return [];
}

/** {field: "中文说明"} from a 400/422 error's details (fields named by the server). */
export function fieldErrors(error: ApiError | null): Record<string, string> {
  const result: Record<string, string> = {};
  if (!error || !error.details) {
    return result;
  }
  for (const [field, value] of Object.entries(error.details)) {
    const messages = messagesOf(value);
    if (messages.length) {
      result[field] = [...new Set(messages.map(chinese))].join("；");
    }
  }
  return result;
}
