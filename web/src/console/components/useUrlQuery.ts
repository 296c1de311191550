// A table's filters and page kept in the URL (so a link can be shared): read one filter as
// text, the current page, and change filters (a change of filter goes back to page 1).
import { computed, type ComputedRef } from "vue";
import { useRoute, useRouter } from "vue-router";

export function queryText(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** The query after `change`: empty values dropped, the page reset unless it is what changes. */
export function changedQuery(current: Record<string, unknown>, change: Record<string, string | undefined>) {
  const query: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...current, page: undefined, ...change })) {
    if (typeof value === "string" && value) {
      query[key] = value;
    }
  }
  return query;
}

export function useUrlQuery() {
  const route = useRoute();
  const router = useRouter();
  const text = (name: string): ComputedRef<string> => computed(() => queryText(route.query[name]));
  const page = computed(() => Math.max(1, Number(route.query.page) || 1));

  function setQuery(change: Record<string, string | undefined>) {
    void router.replace({ query: changedQuery(route.query, change) });
  }

  return { route, router, text, page, setQuery };
}
