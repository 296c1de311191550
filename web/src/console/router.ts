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
import { departmentListRoutes } from "./routes/departments";
import { meetingRoutes } from "./routes/meetings";
import { portalRoutes } from "./routes/portal";
import { budgetRoutes } from "./routes/budget";
import { notificationRoutes } from "./routes/notifications";

// The menu's groups, in the order the menu shows them; a route's `order` sorts it within its group.
export const MENU_GROUPS = {
  suggestions: "建议办理",
  meetings: "会议",
  deputies: "代表履职",
  budget: "预算监督",
  portal: "门户网站",
  integration: "系统对接",
} as const;
export type MenuGroup = keyof typeof MENU_GROUPS;
const GROUP_ORDER = Object.keys(MENU_GROUPS) as MenuGroup[];

declare module "vue-router" {
  interface RouteMeta {
    title?: string;
    roles?: string[];
    order?: number;
    group?: MenuGroup;
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
      ...notificationRoutes,
      ...departmentRoutes,
      ...reviewRoutes,
      ...assignRoutes,
      ...statisticsRoutes,
      ...rosterRoutes,
      ...subscriptionRoutes,
      ...departmentListRoutes,
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

function menuRank(route: RouteRecordRaw): [number, number] {
  const group = route.meta?.group;
  return [group ? GROUP_ORDER.indexOf(group) + 1 : 0, route.meta?.order ?? 99];
}

export function menuFor(role: string | null) {
  const children = routes.find((route) => route.path === "/")?.children ?? [];
  return children
    .filter((route) => route.meta?.title && (!route.meta.roles || (role && route.meta.roles.includes(role))))
    .sort((a, b) => {
      const [groupA, orderA] = menuRank(a);
      const [groupB, orderB] = menuRank(b);
      return groupA - groupB || orderA - orderB;
    });
}

// The menu in titled groups; a short menu (a department's, an editor's) stays one plain list.
export const GROUPED_MENU_FROM = 7;

export function menuSectionsFor(role: string | null): { title: string; items: RouteRecordRaw[] }[] {
  const items = menuFor(role);
  if (items.length < GROUPED_MENU_FROM) return [{ title: "", items }];
  const sections: { title: string; items: RouteRecordRaw[] }[] = [];
  for (const item of items) {
    const title = item.meta?.group ? MENU_GROUPS[item.meta.group] : "";
    const last = sections[sections.length - 1];
    if (last && last.title === title) last.items.push(item);
    else sections.push({ title, items: [item] });
  }
  return sections;
}
