// Each menu group is a route with typed meta; the menu is built from these routes. The
// server still decides every permission: roles here only choose what the menu shows. A route
// without a title (a detail page) is not in the menu.
import { createRouter, createWebHistory, type RouteRecordRaw } from "vue-router";
import { guardWithSession } from "@/shared/sessionGuard";
import { departmentRoutes } from "./routes/department";
import { dutyRoutes } from "./routes/duty";
import { assignRoutes } from "./routes/assign";
import { reviewRoutes } from "./routes/review";
import { rosterRoutes } from "./routes/roster";
import { statisticsRoutes } from "./routes/statistics";
import { subscriptionRoutes } from "./routes/subscriptions";
import { ruleRoutes } from "./routes/rules";
import { meetingRoutes } from "./routes/meetings";
import { portalRoutes } from "./routes/portal";
import { budgetRoutes } from "./routes/budget";

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
        meta: { title: "首页", roles: ["staff", "admin", "department", "editor", "town"], order: 0 } },
      ...departmentRoutes,
      ...reviewRoutes,
      ...assignRoutes,
      ...statisticsRoutes,
      ...rosterRoutes,
      ...subscriptionRoutes,
      ...ruleRoutes,
      ...meetingRoutes,
      ...dutyRoutes,
      ...portalRoutes,
      ...budgetRoutes,
    ],
  },
];

export const router = createRouter({ history: createWebHistory("/console/"), routes });

guardWithSession(router);

export function menuFor(role: string | null) {
  const children = routes.find((route) => route.path === "/")?.children ?? [];
  return children
    .filter((route) => route.meta?.title && (!route.meta.roles || (role && route.meta.roles.includes(role))))
    .sort((a, b) => (a.meta?.order ?? 99) - (b.meta?.order ?? 99));
}
