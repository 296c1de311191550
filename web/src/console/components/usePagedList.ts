// One paged list read from the server: {items, total, loading, problem, load}; the page
// comes from a ref (usually the URL), the fetcher gets limit and offset.
import { ref, type Ref } from "vue";
import { attempt, type Problem } from "../problems";

interface Answer<P> {
  data?: P;
  error?: unknown;
  response: Response;
}

export function usePagedList<T>(
  fetcher: (limit: number, offset: number) => Promise<Answer<{ items?: T[]; total?: number }>>,
  pageSize: number, page: Ref<number>,
) {
  const items = ref<T[]>([]) as Ref<T[]>;
  const total = ref(0);
  const loading = ref(false);
  const problem = ref<Problem | null>(null);

  async function load(): Promise<void> {
    loading.value = true;
    const { data, problem: failed } = await attempt(() => fetcher(pageSize, (page.value - 1) * pageSize));
    loading.value = false;
    problem.value = failed;
    if (data) {
      items.value = data.items ?? [];
      total.value = data.total ?? 0;
    }
  }

  return { items, total, loading, problem, load };
}
