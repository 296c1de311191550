// Menu group: congress staff handling suggestions (审查).
import type { RouteRecordRaw } from "vue-router";

const STAFF = ["staff"];

export const reviewRoutes: RouteRecordRaw[] = [
  { path: "review", name: "review", component: () => import("../pages/review/ReviewQueuePage.vue"),
    meta: { group: "suggestions", title: "建议审查", roles: STAFF, order: 20 } },
  { path: "review/file", name: "file-on-behalf", component: () => import("../pages/review/FileOnBehalfPage.vue"),
    meta: { group: "suggestions", title: "代为提交建议", roles: STAFF, order: 25 } },
];
