// Dates and times as people in the county read them: Beijing time, whatever the phone's zone.
const ZONE = "Asia/Shanghai";

const DATE_TIME = new Intl.DateTimeFormat("zh-CN", {
  timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false,
});
const DATE = new Intl.DateTimeFormat("zh-CN", { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit" });
const TIME = new Intl.DateTimeFormat("zh-CN", {
  timeZone: ZONE, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
});

function parsed(value: string | Date | null | undefined): Date | null {
  if (!value) {
    return null;
  }
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** 2026/12/02 14:05 (Beijing time); "" for nothing. */
export function dateTime(value: string | Date | null | undefined): string {
  const date = parsed(value);
  return date ? DATE_TIME.format(date) : "";
}

/** 2026/12/02 — a date-only value ("2026-12-02") is shown as it is. */
export function day(value: string | Date | null | undefined): string {
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
    return value.replaceAll("-", "/");
  }
  const date = parsed(value);
  return date ? DATE.format(date) : "";
}

/** 14:05:09 (Beijing time). */
export function clock(value: Date): string {
  return TIME.format(value);
}
