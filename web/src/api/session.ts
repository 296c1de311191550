// Who is signed in, as the gateway's session answered. The session itself is an httpOnly
// cookie the page cannot read; only the CSRF token and the role live here (in memory, never
// in localStorage/sessionStorage).
import { reactive } from "vue";

export interface SessionState {
  username: string | null;
  role: string | null;
  subject: string | null;
  csrf: string | null;
}

export const session = reactive<SessionState>({ username: null, role: null, subject: null, csrf: null });
const signedOutListeners: Array<() => void> = [];

export function csrfToken(): string | null {
  return session.csrf;
}

export function remember(answer: Partial<SessionState> & { csrf_token?: string | null }): void {
  session.username = answer.username ?? null;
  session.role = answer.role ?? null;
  session.subject = answer.subject ?? null;
  session.csrf = answer.csrf_token ?? answer.csrf ?? null;
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
