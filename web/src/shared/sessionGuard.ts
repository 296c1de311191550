// Both apps: a page that is not public needs a session (restored from the cookie after a
// reload); a 401 anywhere sends the person back to the sign-in page, then where they were.
import type { Router } from "vue-router";
import { onSignedOut, session } from "@/api/session";
import { restore } from "@/api/signin";

export function guardWithSession(router: Router): void {
  router.beforeEach(async (to) => {
    if (to.meta.public) {
      return true;
    }
    if (!session.role && !(await restore())) {
      return { name: "signin", query: { next: to.fullPath } };
    }
    if (session.mustChangePassword && to.name !== "password" && router.hasRoute("password")) {
      return { name: "password", query: { next: to.fullPath } };
    }
    return true;
  });
  onSignedOut(() => {
    const current = router.currentRoute.value;
    if (current.name !== "signin") {
      void router.push({ name: "signin", query: { next: current.fullPath } });
    }
  });
}
