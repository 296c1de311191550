// Menu group: deputies' duty records (履职管理): activities staff record and the year's rankings.
import type { RouteRecordRaw } from "vue-router";

export const dutyRoutes: RouteRecordRaw[] = [
  { path: "duty/activities", name: "duty-activities", component: () => import("../pages/duty/ActivitiesPage.vue"),
    meta: { group: "deputies", title: "履职活动登记", roles: ["staff"], order: 60 } },
  { path: "duty/rankings", name: "duty-rankings", component: () => import("../pages/duty/RankingsPage.vue"),
    meta: { group: "deputies", title: "履职积分排名", roles: ["staff"], order: 61 } },
];
