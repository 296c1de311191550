import { afterEach, describe, expect, it } from "vitest";
import { sessionMiddleware } from "@/api/client";
import { forget, onSignedOut, remember, session } from "@/api/session";

type Hook = (options: { request: Request; response: Response }) => unknown;

async function through(method: string): Promise<Request> {
  const request = new Request("http://localhost/api/v1/me", { method });
  return (await (sessionMiddleware.onRequest as unknown as Hook)({ request, response: new Response() })) as Request;
}

describe("session middleware", () => {
  afterEach(() => forget());

  it("sends the CSRF token on writes only", async () => {
    remember({ username: "staff", role: "staff", csrf_token: "c-123" });
    expect((await through("POST")).headers.get("X-CSRF-Token")).toBe("c-123");
    expect((await through("GET")).headers.get("X-CSRF-Token")).toBeNull();
  });

  it("forgets the session and tells the app on a 401", async () => {
    let told = 0;
    onSignedOut(() => { told += 1; });
    remember({ username: "D0001", role: "deputy", csrf_token: "x" });
    const hook = sessionMiddleware.onResponse as unknown as Hook;
    await hook({ request: new Request("http://localhost/"), response: new Response(null, { status: 401 }) });
    expect(session.role).toBeNull();
    expect(told).toBe(1);
  });
});
