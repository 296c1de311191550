// Menu group: a department clerk's work (承办单位).
import type { RouteRecordRaw } from "vue-router";

const DEPARTMENT = ["department"];

export const departmentRoutes: RouteRecordRaw[] = [
  { path: "inbox", name: "inbox", component: () => import("../pages/department/InboxPage.vue"),
    meta: { group: "suggestions", title: "待办建议", roles: DEPARTMENT, order: 10 } },
  { path: "inbox/:id", name: "assignment", component: () => import("../pages/department/AssignmentPage.vue"),
    meta: { roles: DEPARTMENT } },
];
