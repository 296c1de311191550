import { describe, expect, it } from "vitest";
import { ref } from "vue";
import { explainConflict } from "@/console/problems";
import { changedQuery, queryText } from "@/console/components/useUrlQuery";
import { usePagedList } from "@/console/components/usePagedList";

describe("filters kept in the URL", () => {
  it("drops empty filters and goes back to page 1 when a filter changes", () => {
    expect(changedQuery({ department: "edu", page: "3", q: "x" }, { q: undefined }))
      .toEqual({ department: "edu" });
    expect(changedQuery({ department: "edu", page: "3" }, { page: "4" })).toEqual({ department: "edu", page: "4" });
    expect(queryText(["a", "b"])).toBe("");
  });
});

describe("a paged list", () => {
  it("asks for the page's offset and keeps items and total", async () => {
    const page = ref(3);
    const asked: number[][] = [];
    const list = usePagedList<{ id: number }>(async (limit, offset) => {
      asked.push([limit, offset]);
      return { data: { items: [{ id: 1 }], total: 41 }, response: new Response(null, { status: 200 }) };
    }, 20, page);
    await list.load();
    expect(asked).toEqual([[20, 40]]);
    expect(list.total.value).toBe(41);
    expect(list.items.value).toEqual([{ id: 1 }]);
    expect(list.problem.value).toBeNull();
  });
});

describe("an extension decision refused", () => {
  it("says there is no pending request any more", () => {
    const text = explainConflict({ code: "CONFLICT", message: "m", details: {
      status: "assigned", assignment_status: "acknowledged", action: "decide_extension",
      allowed_from: ["extension_requested"] } });
    expect(text).toContain("没有待审批的延期申请");
  });
});
