// Menu group: meetings and voting (会议表决), run by congress staff: the list, a new meeting, one
// meeting (attendance, agenda, open/close, counts, results) and the chair's view inside the console.
import type { RouteRecordRaw } from "vue-router";

const STAFF = ["staff"];

export const meetingRoutes: RouteRecordRaw[] = [
  { path: "meetings", name: "meetings", component: () => import("../pages/meetings/MeetingsPage.vue"),
    meta: { group: "meetings", title: "会议表决", roles: STAFF, order: 60 } },
  { path: "meetings/new", name: "meeting-new", component: () => import("../pages/meetings/MeetingCreatePage.vue"),
    meta: { roles: STAFF } },
  { path: "meetings/:id", name: "meeting", component: () => import("../pages/meetings/MeetingPage.vue"),
    meta: { roles: STAFF } },
  { path: "meetings/:id/chair", name: "meeting-chair", component: () => import("../pages/meetings/ChairPage.vue"),
    meta: { roles: STAFF } },
];
