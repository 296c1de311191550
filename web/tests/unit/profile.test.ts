import { describe, expect, it } from "vitest";
import { contactRows, publicRows, stationNames } from "@/mobile/profile";

describe("profile rows", () => {
  const stations = stationNames([{ code: "ST-000", name: "县人大代表之家",
    children: [{ code: "ST-101", name: "城关镇代表联络站", children: [] }] }]);

  it("shows the public answer's fields in Chinese, in reading order, and only those present", () => {
    const rows = publicRows({ id: "D0001", code: "D0001", name: "张三", gender: "female", level: "town", term: 19,
      station_code: "ST-101", occupation: "", version: 3 }, stations);
    expect(rows.map((r) => [r.label, r.value])).toEqual([
      ["姓名", "张三"], ["代表编号", "D0001"], ["性别", "女"], ["代表层级", "乡镇人大代表"], ["届次", "第19届"],
      ["联络站", "城关镇代表联络站"],
    ]);
  });

  it("never turns contact data of an answer into public rows", () => {
    expect(publicRows({ name: "张三", phone: "13900000000", email: "a@b.cn" }).map((r) => r.name)).toEqual(["name"]);
  });

  it("says 未填写 for missing contact data, and an unknown station shows its code", () => {
    expect(contactRows({ phone: "13900000000", email: null }).map((r) => r.value)).toEqual(["13900000000", "未填写"]);
    expect(publicRows({ station_code: "ST-999" })[0].value).toBe("ST-999");
  });
});
