// A write the person asked for: busy while it runs, the server's refusal explained (a 409 says
// the state and what can be done; field errors next to their fields), a network failure
// retried with what was typed kept. On a 409 `onConflict` reloads what the page shows.
import { ref } from "vue";
import { attempt, type Problem } from "../problems";

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

export function useAction(onConflict?: () => Promise<unknown> | unknown) {
  const busy = ref(false);
  const problem = ref<Problem | null>(null);
  const fields = ref<Record<string, string>>({});
  let last: (() => Promise<unknown>) | null = null;

  async function act<T>(call: () => Promise<Answer<T>>, done: (data: T) => unknown | Promise<unknown>):
  Promise<T | undefined> {
    const run = async (): Promise<T | undefined> => {
      busy.value = true;
      problem.value = null;
      fields.value = {};
      const { data, problem: failed } = await attempt(call);
      busy.value = false;
      if (data !== undefined) {
        await done(data);
        return data;
      }
      problem.value = failed;
      fields.value = failed?.fields ?? {};
      if (failed?.kind === "conflict") {
        await onConflict?.();
      }
      return undefined;
    };
    last = run;
    return run();
  }

  function retry() {
    return last?.();
  }

  function clear() {
    problem.value = null;
    fields.value = {};
  }

  return { busy, problem, fields, act, retry, clear };
}
