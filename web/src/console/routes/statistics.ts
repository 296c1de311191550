// Menu group: statistics (ECharts is only loaded with this page).
import type { RouteRecordRaw } from "vue-router";

export const statisticsRoutes: RouteRecordRaw[] = [
  { path: "statistics", name: "statistics", component: () => import("../pages/statistics/StatisticsPage.vue"),
    meta: { group: "suggestions", title: "办理统计", roles: ["staff"], order: 40 } },
];
