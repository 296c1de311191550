"""Gateway routes: the portal's editorial API (columns, articles and their workflow) and
information submissions by towns with the quarterly scores (issue 12).

A mixin of GatewayService (gateway/service.py). Editors write; staff approve, publish and
withdraw; the public reads what is published (the server-rendered portal is gateway/portal.py)."""
import csv
import io

from werkzeug.wrappers import Response

from gateway.api import api, json_body, query_args
from gateway.portal import changes_portal_pages
from gateway.statistics import CSV_MIMETYPE
from gateway.xlsx import XLSX_MIMETYPE, workbook
from kernel.errors import load_payload
from contracts.news import (AdoptionCreateSchema, ArticleListQuerySchema, ArticlePageSchema, ArticleSchema,
                            ArticleWriteSchema, ColumnCreateSchema, ColumnSchema, ColumnTreeSchema,
                            ColumnUpdateSchema, PublishSchema, ReasonSchema, ReportQuerySchema,
                            SchemeQuerySchema, SchemeSchema, SchemeUpdateSchema, ScoresQuerySchema,
                            ScoresSchema, SubmissionCreateSchema, SubmissionListQuerySchema,
                            SubmissionPageSchema, SubmissionSchema, TownPageSchema, WithdrawSchema)

TAG = "portal"
STAFF = ("staff",)
WRITERS = ("editor", "staff")
REPORTERS = ("town", "staff")
SCORE_READERS = ("town", "editor", "staff")
SCORE_COLUMNS = [("rank", "名次"), ("town", "镇编码"), ("name", "镇"), ("points", "得分"), ("pieces", "报送篇数"),
                 ("adopted", "采用篇数"), ("research", "调研文章"), ("quota", "季度任务"), ("quota_met", "完成任务")]


def score_records(answer):
    yield [label for _, label in SCORE_COLUMNS]
    for row in answer["items"]:
        yield [("是" if row[key] else "否") if key == "quota_met" else row[key] for key, _ in SCORE_COLUMNS]


class NewsRoutes:
    # -- columns ---------------------------------------------------------------------------------------
    @api("GET", "/api/v1/columns", tag=TAG, response=ColumnTreeSchema, summary="The portal's columns as a tree")
    def list_columns(self, request, principal):
        return self.rpc.call("news", "list_columns")

    @api("POST", "/api/v1/columns", roles=STAFF, tag=TAG, body=ColumnCreateSchema, response=ColumnSchema, status=201,
         summary="Add a column (staff)")
    @changes_portal_pages
    def create_column(self, request, principal):
        return self.rpc.call("news", "create_column", payload=json_body(request))

    @api("PATCH", "/api/v1/columns/<slug>", roles=STAFF, tag=TAG, body=ColumnUpdateSchema, response=ColumnSchema,
         summary="Rename, move or reorder a column (staff)")
    @changes_portal_pages
    def update_column(self, request, principal, slug):
        return self.rpc.call("news", "update_column", slug=slug, payload=json_body(request))

    # -- articles --------------------------------------------------------------------------------------
    @api("POST", "/api/v1/articles", roles=WRITERS, tag=TAG, body=ArticleWriteSchema, response=ArticleSchema,
         status=201, summary="Write an article: a draft (body HTML sanitised on the server to an allow-list)")
    def create_article(self, request, principal):
        return self.rpc.call("news", "create_article", actor=principal.as_actor(), payload=json_body(request))

    @api("PUT", "/api/v1/articles/<article_id>", roles=WRITERS, tag=TAG, body=ArticleWriteSchema,
         response=ArticleSchema,
         summary="Change an article. A draft changes in place; anything else becomes a new draft version "
                 "(the public keeps seeing the published version until the new one is published)")
    def edit_article(self, request, principal, article_id):
        return self.rpc.call("news", "edit_article", actor=principal.as_actor(), article_id=article_id,
                             payload=json_body(request))

    @api("GET", "/api/v1/articles", tag=TAG, query=ArticleListQuerySchema, response=ArticlePageSchema, errors=(404,),
         summary="Articles. The public: published ones, latest first, or ranked by relevance with q (Chinese "
                 "full text). Editors and staff: the workflow list (filter by status, column, author)")
    def list_articles(self, request, principal):
        return self.rpc.call("news", "list_articles", actor=principal.as_actor(), query=query_args(request))

    @api("GET", "/api/v1/articles/<key>", tag=TAG, response=ArticleSchema,
         summary="One article by id or slug. The public: the published version; editors and staff (by id): "
                 "the working copy with its versions and every workflow step")
    def get_article(self, request, principal, key):
        return self.rpc.call("news", "get_article", actor=principal.as_actor(), key=key)

    @changes_portal_pages
    def _article_action(self, principal, article_id, action, request):
        return self.rpc.call("news", "article_action", actor=principal.as_actor(), article_id=article_id,
                             action=action, payload=json_body(request))

    @api("POST", "/api/v1/articles/<int:article_id>/submit", roles=WRITERS, tag=TAG, body=ReasonSchema,
         response=ArticleSchema, summary="Send a draft for review (撰稿 → 责任编辑)")
    def submit_article(self, request, principal, article_id):
        return self._article_action(principal, article_id, "submit", request)

    @api("POST", "/api/v1/articles/<int:article_id>/reject", roles=STAFF, tag=TAG, body=ReasonSchema,
         response=ArticleSchema, summary="Send a submitted article back to its writer, with a reason")
    def reject_article(self, request, principal, article_id):
        return self._article_action(principal, article_id, "reject", request)

    @api("POST", "/api/v1/articles/<int:article_id>/approve", roles=STAFF, tag=TAG, body=ReasonSchema,
         response=ArticleSchema, summary="Approve a submitted article (责任编辑)")
    def approve_article(self, request, principal, article_id):
        return self._article_action(principal, article_id, "approve", request)

    @api("POST", "/api/v1/articles/<int:article_id>/publish", roles=STAFF, tag=TAG, body=PublishSchema,
         response=ArticleSchema,
         summary="Publish an approved article now, or at publish_at (签发; scheduled, exact to the timer's "
                 "half second, once even with several news processes)")
    def publish_article(self, request, principal, article_id):
        return self._article_action(principal, article_id, "publish", request)

    @api("POST", "/api/v1/articles/<int:article_id>/withdraw", roles=STAFF, tag=TAG, body=WithdrawSchema,
         response=ArticleSchema, summary="Take an article off the portal (or cancel its schedule), with a reason")
    def withdraw_article(self, request, principal, article_id):
        return self._article_action(principal, article_id, "withdraw", request)

    # -- towns, submissions, scores ------------------------------------------------------------------------
    @api("GET", "/api/v1/towns", tag=TAG, response=TownPageSchema,
         summary="The towns that submit information pieces (reporter account town-<code>)")
    def list_towns(self, request, principal):
        return self.rpc.call("news", "list_towns")

    @api("POST", "/api/v1/submissions", roles=REPORTERS, tag=TAG, body=SubmissionCreateSchema,
         response=SubmissionSchema, status=201,
         summary="A town submits an information piece (news or research); staff may submit for a town")
    def submit_piece(self, request, principal):
        return self.rpc.call("news", "submit_piece", actor=principal.as_actor(), payload=json_body(request))

    @api("GET", "/api/v1/submissions", roles=REPORTERS, tag=TAG, query=SubmissionListQuerySchema,
         response=SubmissionPageSchema, summary="Submitted pieces with their adoptions (a town: its own)")
    def list_submissions(self, request, principal):
        return self.rpc.call("news", "list_submissions", actor=principal.as_actor(), query=query_args(request))

    @api("POST", "/api/v1/submissions/<int:submission_id>/adoptions", roles=STAFF, tag=TAG,
         body=AdoptionCreateSchema, response=SubmissionSchema, status=201,
         summary="Record that a piece was adopted (采用): level, channel, date, link, leader comment (批示)")
    def adopt_piece(self, request, principal, submission_id):
        return self.rpc.call("news", "adopt_piece", actor=principal.as_actor(), submission_id=submission_id,
                             payload=json_body(request))

    @api("GET", "/api/v1/submissions/scores", roles=SCORE_READERS, tag=TAG, query=ScoresQuerySchema,
         response=ScoresSchema,
         media_types={CSV_MIMETYPE: "format=csv: UTF-8 with BOM, CRLF line ends, a header row",
                      XLSX_MIMETYPE: "format=xlsx: one sheet"},
         summary="The quarter's ranking of towns (季度通报): points, pieces, adopted, quota met; JSON, CSV or XLSX. "
                 "Scored by that year's rules")
    def submission_scores(self, request, principal):
        args = query_args(request)
        fmt = load_payload(ScoresQuerySchema(), args).get("format", "json")
        answer = self.rpc.call("news", "submission_scores", query={k: v for k, v in args.items() if k != "format"})
        name = f"town-scores-{answer['year']}-q{answer['quarter']}"
        if fmt == "csv":
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\r\n").writerows(score_records(answer))
            return Response(("\ufeff" + buffer.getvalue()).encode("utf-8"), status=200,
                            content_type=f"{CSV_MIMETYPE}; charset=utf-8",
                            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
        if fmt == "xlsx":
            return Response(workbook(list(score_records(answer)), f"{answer['year']}年第{answer['quarter']}季度"),
                            status=200, content_type=XLSX_MIMETYPE,
                            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
        return answer

    @api("GET", "/api/v1/submissions/scoring-scheme", roles=SCORE_READERS, tag=TAG, query=SchemeQuerySchema,
         response=SchemeSchema, summary="The scoring rules of a year (the defaults until staff set that year's)")
    def get_scoring_scheme(self, request, principal):
        return self.rpc.call("news", "scoring_scheme", query=query_args(request))

    @api("PUT", "/api/v1/submissions/scoring-scheme", roles=STAFF, tag=TAG, query=SchemeQuerySchema,
         body=SchemeUpdateSchema, response=SchemeSchema,
         summary="Set a year's scoring rules (points per kind and level, leader-comment bonus, highest|sum, "
                 "quarterly quota); other years' reports keep their own rules")
    def put_scoring_scheme(self, request, principal):
        return self.rpc.call("news", "put_scoring_scheme", actor=principal.as_actor(), query=query_args(request),
                             payload=json_body(request))

    @api("POST", "/api/v1/submissions/report", roles=STAFF, tag=TAG, query=ReportQuerySchema, response=ArticleSchema,
         status=201, summary="Draft the quarter's 通报 (ranking, towns under quota) as an article for editors; once "
                             "per quarter (409 after)")
    def report_draft(self, request, principal):
        return self.rpc.call("news", "report_draft", actor=principal.as_actor(), query=query_args(request))


    @api("POST", "/api/v1/articles/suggestion-report", roles=STAFF, tag=TAG, query=ReportQuerySchema,
         response=ArticleSchema, status=201, errors=(409,),
         summary="Draft the quarter's suggestion-handling figures (办复率, 办结率, 满意率 by department, from the "
                 "suggestion statistics as of today) as an article in 建议办理 for editors; once per quarter (409 after)")
    def suggestion_report_draft(self, request, principal):
        statistics = self.rpc.call("suggestion", "suggestion_statistics", query={"group_by": "department"})
        return self.rpc.call("news", "suggestion_report_draft", actor=principal.as_actor(), query=query_args(request),
                             statistics=statistics)
