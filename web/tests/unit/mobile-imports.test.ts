// The mobile entry stays light: nothing it can reach imports Element Plus or ECharts.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = join(__dirname, "../../src");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : /\.(ts|vue)$/.test(name) ? [path] : [];
  });
}

describe("mobile entry", () => {
  it("imports neither Element Plus nor ECharts", () => {
    const reachable = [...files(join(SRC, "mobile")), ...files(join(SRC, "shared")), ...files(join(SRC, "api"))];
    const offenders = reachable.filter((path) => /from\s+["'](element-plus|echarts)|import\(["'](element-plus|echarts)/
      .test(readFileSync(path, "utf8")));
    expect(offenders).toEqual([]);
  });
});
