import { createRouter, createWebHistory } from "vue-router";
import { guardWithSession } from "@/shared/sessionGuard";

export const router = createRouter({
  history: createWebHistory("/m/"),
  routes: [
    { path: "/signin", name: "signin", component: () => import("./pages/SignIn.vue"), meta: { public: true } },
    { path: "/", name: "home", component: () => import("./pages/Home.vue") },
  ],
});

guardWithSession(router);
