// Each menu group is a route with typed meta; the menu is built from these routes. The
// server still decides every permission: roles here only choose what the menu shows.
import { createRouter, createWebHistory, type RouteRecordRaw } from "vue-router";
import { onSignedOut, session } from "@/api/session";
import { restore } from "@/api/signin";

declare module "vue-router" {
  interface RouteMeta {
    title?: string;
    roles?: string[];
    order?: number;
    public?: boolean;
  }
}

export const routes: RouteRecordRaw[] = [
  { path: "/signin", name: "signin", component: () => import("./pages/SignIn.vue"), meta: { title: "登录", public: true } },
  {
    path: "/",
    component: () => import("./layout/ConsoleLayout.vue"),
    children: [
      { path: "", name: "home", component: () => import("./pages/Home.vue"),
        meta: { title: "首页", roles: ["staff", "admin", "department"], order: 0 } },
    ],
  },
];

export const router = createRouter({ history: createWebHistory("/console/"), routes });

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
    void router.push({ name: "signin", query: { next: router.currentRoute.value.fullPath } });
  }
});

export function menuFor(role: string | null) {
  const children = routes.find((route) => route.path === "/")?.children ?? [];
  return children
    .filter((route) => route.meta?.title && (!route.meta.roles || (role && route.meta.roles.includes(role))))
    .sort((a, b) => (a.meta?.order ?? 99) - (b.meta?.order ?? 99));
}
