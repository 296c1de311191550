// Sign in and out of the browser session (shared by the console and the mobile app).
import { api, errorOf, type ApiError } from "./client";
import { forget, remember, session } from "./session";
import { clock } from "@/shared/dates";

export interface SignInFailure {
  message: string;
  retryAfterSeconds?: number;
}

function failureOf(status: number, error: ApiError | null, retryAfter: string | null): SignInFailure {
  if (status === 429) {
    const seconds = Number(retryAfter ?? error?.details?.retry_after_seconds ?? 0);
    const at = clock(new Date(Date.now() + seconds * 1000));
    return { message: `登录失败次数过多，请 ${seconds} 秒后（北京时间 ${at} 以后）再试`, retryAfterSeconds: seconds };
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

export interface PasswordChangeFailure {
  message: string;
  fields: Record<string, unknown>;
}

/** Change one's own password; every session of the account ends, so sign in again with the
 * new one at once (the person only sees the app carry on). */
export async function changePassword(current: string, next: string): Promise<PasswordChangeFailure | null> {
  const username = session.username ?? "";
  try {
    const { error, response } = await api.POST("/api/v1/me/password", {
      body: { current_password: current, new_password: next },
    });
    if (response.ok) {
      const again = await signIn(username, next);
      return again ? { message: again.message, fields: {} } : null;
    }
    const problem = errorOf(error);
    if (response.status === 429) {
      return { message: failureOf(429, problem, response.headers.get("Retry-After")).message, fields: {} };
    }
    return { message: "密码未修改，请按提示更正", fields: problem?.details ?? {} };
  } catch {
    return { message: "网络连接失败，密码未修改，请重试", fields: {} };
  }
}
