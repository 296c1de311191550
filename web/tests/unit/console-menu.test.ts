import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { menuFor } from "@/console/router";

const titles = (role: string | null) => menuFor(role).map((route) => route.meta?.title);

describe("the console menu", () => {
  it("shows each role its own work, in order, and no detail pages", () => {
    expect(titles("department")).toEqual(["首页", "待办建议", "事件订阅"]);
    expect(titles("staff")).toEqual(["首页", "建议审查", "代为提交建议", "交办", "延期审批", "逾期督办", "分办规则", "办理统计", "代表名册",
      "预算执行监督", "预算预警", "支付数据导入", "事件订阅", "会议表决", "履职活动登记", "稿件管理", "履职积分排名", "稿件审核",
      "栏目管理", "信息报送"]);
    expect(titles("editor")).toEqual(["首页", "稿件管理"]);
    expect(titles("town")).toEqual(["首页", "信息报送"]);
    expect(titles("unit")).toEqual(["本单位预算", "预算预警"]);
    expect(titles(null)).toEqual([]);
  });
});

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : [path];
  });
}

describe("the mobile app", () => {
  it("never imports Element Plus or ECharts (directly or through shared code)", () => {
    const files = ["src/mobile", "src/shared", "src/api"].flatMap(sources).filter((f) => /\.(ts|vue)$/.test(f));
    const offending = files.filter((f) => /from ["'](element-plus|echarts)/.test(readFileSync(f, "utf8")));
    expect(offending).toEqual([]);
  });
});
