// The column tree as flat options for a select: "新闻动态 / 人大要闻".
import type { components } from "@/api/schema";

export type Column = components["schemas"]["Column"];

export function flatColumns(tree: Column[], prefix = ""): { value: string; label: string }[] {
  return tree.flatMap((column) => [
    { value: column.slug ?? "", label: prefix + (column.name ?? "") },
    ...flatColumns(column.children ?? [], `${prefix}${column.name} / `),
  ]);
}
