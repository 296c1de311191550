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

// -- the console's forms: YYYY-MM-DD [HH:MM], and days left to a due date ---------------------
const BEIJING = ZONE;
const DAY_MS = 86_400_000;

/** The Beijing calendar day of a moment, as YYYY-MM-DD. */
export function beijingDay(moment: Date = new Date()): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: BEIJING, year: "numeric", month: "2-digit", day: "2-digit" })
    .format(moment);
}

/** An ISO time (with zone) as 2026-03-05 14:30 in Beijing time; an ISO date stays as it is. */
export function beijingTime(iso: string | null | undefined): string {
  if (!iso) {
    return "";
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) {
    return iso;
  }
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: BEIJING, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
    hour12: false,
  }).formatToParts(new Date(iso));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year")}-${part("month")}-${part("day")} ${part("hour")}:${part("minute")}`;
}

/** Calendar days from today (Beijing) to a due date (YYYY-MM-DD): negative when overdue. */
export function daysLeft(dueDate: string, now: Date = new Date()): number {
  const [y1, m1, d1] = beijingDay(now).split("-").map(Number);
  const [y2, m2, d2] = dueDate.slice(0, 10).split("-").map(Number);
  return Math.round((Date.UTC(y2, m2 - 1, d2) - Date.UTC(y1, m1 - 1, d1)) / DAY_MS);
}

/** 剩余 N 天 / 今天到期 / 逾期 N 天. */
export function daysLeftText(days: number): string {
  if (days > 0) {
    return `剩余 ${days} 天`;
  }
  return days === 0 ? "今天到期" : `逾期 ${-days} 天`;
}
