// Menu group: congress staff assign accepted suggestions to departments (交办).
import type { RouteRecordRaw } from "vue-router";

export const assignRoutes: RouteRecordRaw[] = [
  { path: "assign", name: "assign", component: () => import("../pages/assign/AssignPage.vue"),
    meta: { group: "suggestions", title: "交办", roles: ["staff"], order: 30 } },
  { path: "overdue", name: "overdue", component: () => import("../pages/assign/OverduePage.vue"),
    meta: { group: "suggestions", title: "逾期督办", roles: ["staff"], order: 35 } },
  { path: "extensions", name: "extensions", component: () => import("../pages/assign/ExtensionsPage.vue"),
    meta: { group: "suggestions", title: "延期审批", roles: ["staff"], order: 33 } },
];
