// One read of the API as {data, loading, error, reload}: error is a Chinese sentence (with a
// retry offered by the page), never a blank screen.
import { ref, type Ref } from "vue";
import { errorOf } from "@/api/client";
import { ERROR_CODES, label } from "@/shared/labels";

export interface Loaded<T> {
  data: Ref<T | null>;
  loading: Ref<boolean>;
  error: Ref<string>;
  reload: () => Promise<void>;
}

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

export function problemText(status: number, body: unknown): string {
  const error = errorOf(body);
  if (status === 404) {
    return "没有找到，可能已被删除或您无权查看";
  }
  return error ? label(ERROR_CODES, error.code) : "服务暂时不可用，请稍后重试";
}

export function useLoad<T>(fetcher: () => Promise<Answer<T>>): Loaded<T> {
  const data = ref<T | null>(null) as Ref<T | null>;
  const loading = ref(false);
  const error = ref("");

  async function reload(): Promise<void> {
    loading.value = true;
    error.value = "";
    try {
      const answer = await fetcher();
      if (answer.data !== undefined) {
        data.value = answer.data;
      } else {
        error.value = problemText(answer.response.status, answer.error);
      }
    } catch {
      error.value = "网络连接失败，请检查网络后重试";
    } finally {
      loading.value = false;
    }
  }

  void reload();
  return { data, loading, error, reload };
}
