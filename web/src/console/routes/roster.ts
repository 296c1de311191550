// Menu group: the deputies' roster (代表名册), kept by congress staff.
import type { RouteRecordRaw } from "vue-router";

export const rosterRoutes: RouteRecordRaw[] = [
  { path: "deputies", name: "deputies", component: () => import("../pages/roster/RosterPage.vue"),
    meta: { group: "deputies", title: "代表名册", roles: ["staff"], order: 50 } },
];
