// The one typed client of the gateway (openapi-fetch over the generated schema). Browsers
// authenticate with the httpOnly session cookie; writes carry the CSRF token the session
// answered with. A 401 anywhere sends the app back to its sign-in page.
import createClient, { type Middleware } from "openapi-fetch";
import type { paths } from "./schema";
import { csrfToken, onSignedOut } from "./session";

const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export const sessionMiddleware: Middleware = {
  onRequest({ request }) {
    const token = csrfToken();
    if (WRITES.has(request.method) && token) {
      request.headers.set("X-CSRF-Token", token);
    }
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401) {
      onSignedOut();
    }
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: "/", credentials: "same-origin" });
api.use(sessionMiddleware);

/** The error body every failed call answers: {"error": {code, message, details}}. */
export interface ApiError {
  code: string;
  message: string;
  details: Record<string, unknown>;
}

export function errorOf(body: unknown): ApiError | null {
  const error = (body as { error?: ApiError } | null)?.error;
  return error && typeof error.code === "string" ? error : null;
}
