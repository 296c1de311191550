// Menu group: the routing rules behind the assign page's proposals (分办规则).
import type { RouteRecordRaw } from "vue-router";

export const ruleRoutes: RouteRecordRaw[] = [
  { path: "routing-rules", name: "routing-rules", component: () => import("../pages/rules/RoutingRulesPage.vue"),
    meta: { group: "suggestions", title: "分办规则", roles: ["staff"], order: 37 } },
];
