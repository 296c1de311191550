// Menu group: congress staff handling suggestions (审查).
import type { RouteRecordRaw } from "vue-router";

const STAFF = ["staff"];

export const reviewRoutes: RouteRecordRaw[] = [
  { path: "review", name: "review", component: () => import("../pages/review/ReviewQueuePage.vue"),
    meta: { title: "建议审查", roles: STAFF, order: 20 } },
];
