// Menu group: online budget supervision (预算联网监督, issue 11). ECharts loads only with these pages.
import type { RouteRecordRaw } from "vue-router";

export const budgetRoutes: RouteRecordRaw[] = [
  { path: "budget", name: "budget", component: () => import("../pages/budget/BudgetDashboard.vue"),
    meta: { group: "budget", title: "预算执行监督", roles: ["staff", "admin"], order: 50 } },
  { path: "budget/alerts", name: "budget-alerts", component: () => import("../pages/budget/BudgetAlerts.vue"),
    meta: { group: "budget", title: "预算预警", roles: ["staff", "admin", "unit"], order: 51 } },
  { path: "budget/imports", name: "budget-imports", component: () => import("../pages/budget/BudgetImports.vue"),
    meta: { group: "budget", title: "支付数据导入", roles: ["staff", "admin"], order: 52 } },
  { path: "budget/mine", name: "budget-mine", component: () => import("../pages/budget/BudgetUnit.vue"),
    meta: { group: "budget", title: "本单位预算", roles: ["unit"], order: 1 } },
  { path: "budget/units/:code", name: "budget-unit", component: () => import("../pages/budget/BudgetUnit.vue") },
  { path: "budget/alerts/:id", name: "budget-alert", component: () => import("../pages/budget/BudgetAlert.vue") },
];
