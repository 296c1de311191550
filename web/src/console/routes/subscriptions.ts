// Menu group: a department's event subscriptions (webhooks, delivery log; AMQP for staff).
import type { RouteRecordRaw } from "vue-router";

export const subscriptionRoutes: RouteRecordRaw[] = [
  { path: "subscriptions", name: "subscriptions", component: () => import("../pages/subscriptions/SubscriptionsPage.vue"),
    meta: { group: "integration", title: "事件订阅", roles: ["department", "staff"], order: 60 } },
];
