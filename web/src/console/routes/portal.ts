// Menu group: the portal (门户网站) and information work (信息报送考核), issue 12.
import type { RouteRecordRaw } from "vue-router";

const WRITERS = ["editor", "staff", "admin"];
const STAFF = ["staff", "admin"];

export const portalRoutes: RouteRecordRaw[] = [
  { path: "articles", name: "articles", component: () => import("../pages/portal/ArticleListPage.vue"),
    meta: { group: "portal", title: "稿件管理", roles: WRITERS, order: 60 } },
  { path: "articles/review", name: "article-review", component: () => import("../pages/portal/ArticleListPage.vue"),
    props: { queue: "submitted" }, meta: { group: "portal", title: "稿件审核", roles: STAFF, order: 61 } },
  { path: "articles/new", name: "article-new", component: () => import("../pages/portal/ArticleEditorPage.vue") },
  { path: "articles/:id", name: "article-edit", component: () => import("../pages/portal/ArticleEditorPage.vue"),
    props: true },
  { path: "columns", name: "columns", component: () => import("../pages/portal/ColumnsPage.vue"),
    meta: { group: "portal", title: "栏目管理", roles: STAFF, order: 62 } },
  { path: "submissions", name: "submissions", component: () => import("../pages/portal/SubmissionsPage.vue"),
    meta: { group: "portal", title: "信息报送", roles: ["town", "staff", "admin"], order: 63 } },
];
