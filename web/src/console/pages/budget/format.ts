// Money arrives as exact decimal strings in yuan; pages show 万元 with two decimals (display
// only: no arithmetic on floats is ever sent back). Rates are fractions.
export function wan(value: string | null | undefined): string {
  if (value === null || value === undefined || value === "") {
    return "—";
  }
  const yuan = Number(value);
  return Number.isFinite(yuan) ? (yuan / 10000).toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : value;
}

export function yuan(value: string | null | undefined): string {
  if (value === null || value === undefined || value === "") {
    return "—";
  }
  const [whole, fraction = "00"] = value.split(".");
  const sign = whole.startsWith("-") ? "-" : "";
  const digits = whole.replace("-", "").replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${sign}${digits}.${fraction.padEnd(2, "0")}`;
}

export function percent(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined ? "—" : `${(value * 100).toFixed(digits)}%`;
}

/** Lag in percentage points: positive means behind 序时进度. */
export function points(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : `${(value * 100).toFixed(1)} 个百分点`;
}
