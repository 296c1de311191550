// Menu group: the county departments suggestions are assigned to (承办单位), kept by staff.
import type { RouteRecordRaw } from "vue-router";

export const departmentListRoutes: RouteRecordRaw[] = [
  { path: "departments", name: "departments", component: () => import("../pages/departments/DepartmentsPage.vue"),
    meta: { group: "suggestions", title: "承办单位", roles: ["staff"], order: 36 } },
];
