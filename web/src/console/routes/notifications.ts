// The staff's notification inbox (消息): raised budget alerts, with the unread badge in the menu.
import type { RouteRecordRaw } from "vue-router";

export const notificationRoutes: RouteRecordRaw[] = [
  { path: "notifications", name: "notifications", component: () => import("../pages/notifications/NotificationsPage.vue"),
    meta: { title: "消息", roles: ["staff"], order: 1 } },
];
