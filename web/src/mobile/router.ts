import { createRouter, createWebHistory } from "vue-router";
import { guardWithSession } from "@/shared/sessionGuard";

declare module "vue-router" {
  interface RouteMeta {
    public?: boolean;
    /** shows the bottom tab bar (首页 / 提建议 / 消息) */
    tab?: boolean;
    title?: string;
  }
}

export const router = createRouter({
  history: createWebHistory("/m/"),
  routes: [
    { path: "/signin", name: "signin", component: () => import("./pages/SignIn.vue"), meta: { public: true } },
    { path: "/password", name: "password", component: () => import("./pages/ChangePassword.vue") },
    { path: "/", name: "home", component: () => import("./pages/Home.vue"), meta: { tab: true } },
    { path: "/suggestions/new", name: "file", component: () => import("./pages/FileSuggestion.vue"), meta: { tab: true } },
    { path: "/notifications", name: "notifications", component: () => import("./pages/Notifications.vue"),
      meta: { tab: true } },
    { path: "/me", name: "profile", component: () => import("./pages/Profile.vue"), meta: { tab: true } },
    { path: "/meetings/:id", name: "meeting", component: () => import("./pages/Meeting.vue") },
    { path: "/suggestions/:id", name: "suggestion", component: () => import("./pages/Suggestion.vue") },
    // duty records and voters' opinions (issue 13)
    { path: "/duty", name: "duty", component: () => import("./pages/duty/DutyRecord.vue") },
    { path: "/opinions/new", name: "opinion", component: () => import("./pages/duty/OpinionForm.vue"),
      meta: { public: true } },
    { path: "/opinions/track", name: "opinion-track", component: () => import("./pages/duty/OpinionTrack.vue"),
      meta: { public: true } },
  ],
});

guardWithSession(router);
