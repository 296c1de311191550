// Who is signed in, as the gateway's session answered. The session itself is an httpOnly
// cookie the page cannot read; only the CSRF token and the role live here (in memory, never
// in localStorage/sessionStorage).
import { reactive } from "vue";

export interface SessionState {
  username: string | null;
  role: string | null;
  subject: string | null;
  csrf: string | null;
  /** the account still has the initial password staff issued: the app asks for a new one */
  mustChangePassword: boolean;
}

export const session = reactive<SessionState>({
  username: null, role: null, subject: null, csrf: null, mustChangePassword: false,
});
const signedOutListeners: Array<() => void> = [];

export function csrfToken(): string | null {
  return session.csrf;
}

export function remember(
  answer: Partial<SessionState> & { csrf_token?: string | null; must_change_password?: boolean },
): void {
  session.username = answer.username ?? null;
  session.role = answer.role ?? null;
  session.subject = answer.subject ?? null;
  session.csrf = answer.csrf_token ?? answer.csrf ?? null;
  session.mustChangePassword = Boolean(answer.must_change_password ?? answer.mustChangePassword);
}

export function forget(): void {
  remember({});
}

export function onSignedOut(listener?: () => void): void {
  if (listener) {
    signedOutListeners.push(listener);
    return;
  }
  forget();
  signedOutListeners.forEach((notify) => notify());
}
