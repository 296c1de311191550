import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { menuFor, menuSectionsFor } from "@/console/router";

const titles = (role: string | null) => menuFor(role).map((route) => route.meta?.title);

describe("the console menu", () => {
  it("shows each role its own work, in order, and no detail pages", () => {
    expect(titles("department")).toEqual(["首页", "待办建议", "事件订阅"]);
    expect(titles("staff")).toEqual(["首页", "消息", "建议审查", "代为提交建议", "交办", "延期审批", "逾期督办", "承办单位", "分办规则",
      "办理统计", "会议表决", "代表名册", "履职活动登记", "履职积分排名", "预算执行监督", "预算预警", "支付数据导入", "稿件管理", "稿件审核",
      "栏目管理", "信息报送", "事件订阅"]);
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

describe("the console menu's groups", () => {
  const sections = (role: string | null) =>
    menuSectionsFor(role).map((section) => [section.title, section.items.map((route) => route.meta?.title)]);

  it("puts staff's twenty-two entries under the work they belong to", () => {
    expect(sections("staff")).toEqual([
      ["", ["首页", "消息"]],
      ["建议办理", ["建议审查", "代为提交建议", "交办", "延期审批", "逾期督办", "承办单位", "分办规则", "办理统计"]],
      ["会议", ["会议表决"]],
      ["代表履职", ["代表名册", "履职活动登记", "履职积分排名"]],
      ["预算监督", ["预算执行监督", "预算预警", "支付数据导入"]],
      ["门户网站", ["稿件管理", "稿件审核", "栏目管理", "信息报送"]],
      ["系统对接", ["事件订阅"]],
    ]);
  });

  it("keeps a short menu one plain list", () => {
    expect(sections("department")).toEqual([["", ["首页", "待办建议", "事件订阅"]]]);
    expect(sections("unit")).toEqual([["", ["本单位预算", "预算预警"]]]);
  });
});

describe("the mobile app", () => {
  it("never imports Element Plus or ECharts (directly or through shared code)", () => {
    const files = ["src/mobile", "src/shared", "src/api"].flatMap(sources).filter((f) => /\.(ts|vue)$/.test(f));
    const offending = files.filter((f) => /from ["'](element-plus|echarts)/.test(readFileSync(f, "utf8")));
    expect(offending).toEqual([]);
  });
});
