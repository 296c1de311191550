// Sign in and out of the browser session (shared by the console and the mobile app).
import { api, errorOf, type ApiError } from "./client";
import { forget, remember } from "./session";

export interface SignInFailure {
  message: string;
  retryAfterSeconds?: number;
}

function failureOf(status: number, error: ApiError | null, retryAfter: string | null): SignInFailure {
  if (status === 429) {
    const seconds = Number(retryAfter ?? error?.details?.retry_after_seconds ?? 0);
    return { message: `尝试次数过多，请 ${seconds} 秒后再试`, retryAfterSeconds: seconds };
  }
  if (status === 401 || status === 400) {
    return { message: "用户名或密码不正确" };
  }
  return { message: "网络或服务暂时不可用，请稍后重试" };
}

export async function signIn(username: string, password: string): Promise<SignInFailure | null> {
  try {
    const { data, error, response } = await api.POST("/api/v1/auth/session", { body: { username, password } });
    if (data) {
      remember(data);
      return null;
    }
    return failureOf(response.status, errorOf(error), response.headers.get("Retry-After"));
  } catch {
    return { message: "网络连接失败，请检查网络后重试" };
  }
}

export async function restore(): Promise<boolean> {
  const { data } = await api.GET("/api/v1/me");
  if (data) {
    remember(data);
    return true;
  }
  return false;
}

export async function signOut(): Promise<void> {
  await api.DELETE("/api/v1/auth/session").catch(() => undefined);
  forget();
}
