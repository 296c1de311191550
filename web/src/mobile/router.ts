import { createRouter, createWebHistory } from "vue-router";
import { onSignedOut, session } from "@/api/session";
import { restore } from "@/api/signin";

export const router = createRouter({
  history: createWebHistory("/m/"),
  routes: [
    { path: "/signin", name: "signin", component: () => import("./pages/SignIn.vue"), meta: { public: true } },
    { path: "/", name: "home", component: () => import("./pages/Home.vue") },
  ],
});

router.beforeEach(async (to) => {
  if (to.meta.public) {
    return true;
  }
  if (!session.role && !(await restore())) {
    return { name: "signin", query: { next: to.fullPath } };
  }
  return true;
});

onSignedOut(() => {
  if (router.currentRoute.value.name !== "signin") {
    void router.push({ name: "signin" });
  }
});
