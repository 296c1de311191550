"""The news service: the portal's columns and articles (editorial workflow, versions,
scheduled publishing), the public read model and search, and information submissions by
towns with their quarterly scoring (issue 12). Entrypoints are thin: load → use case → answer."""
import logging

from nameko.timer import timer

from contracts.events import suggestion as suggestion_events
from contracts.events import voting as voting_events
from kernel.consumer import rpc, subscribe
from kernel.db import Database
from kernel.errors import NotFound
from kernel.errors import load_payload as load
from kernel.outbox import OutboxRelay
from kernel.service import PlatformService
from services.news import domain, handlers, info
from services.news.repository import REPOSITORIES
from contracts.news import (AdoptionCreateSchema, ArticleListQuerySchema, ArticleWriteSchema,
                            ColumnCreateSchema, ColumnUpdateSchema, PublishSchema, ReasonSchema,
                            ReportQuerySchema, SchemeQuerySchema, SchemeUpdateSchema, ScoresQuerySchema, SubmissionCreateSchema, SubmissionListQuerySchema,
                            WithdrawSchema)

log = logging.getLogger(__name__)
SCHEDULER_SECONDS = 0.5
ACTION_SCHEMAS = {"submit": ReasonSchema, "reject": ReasonSchema, "approve": ReasonSchema, "publish": PublishSchema,
                  "withdraw": WithdrawSchema}


def ident(value, field="id"):
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number <= 0 or number > 2 ** 62:
        raise NotFound(f"no {field} {value}", {field: value})
    return number


def is_editor(actor):
    return (actor or {}).get("role") in domain.EDITOR_ROLES


class NewsService(PlatformService):
    name = "news"

    db = Database(REPOSITORIES)
    relay = OutboxRelay()

    # -- columns -------------------------------------------------------------------------------------
    @rpc
    def list_columns(self):
        return handlers.list_columns(self.db(readonly=True))

    @rpc
    def create_column(self, payload):
        return handlers.create_column(load(ColumnCreateSchema(), payload), self.db())

    @rpc
    def update_column(self, slug, payload):
        return handlers.update_column(slug, load(ColumnUpdateSchema(), payload), self.db())

    # -- articles ------------------------------------------------------------------------------------
    @rpc
    def create_article(self, actor, payload):
        article_id = handlers.create_article(load(ArticleWriteSchema(), payload), actor, self.db())
        return handlers.article_view(article_id, self.db(readonly=True))

    @rpc
    def edit_article(self, actor, article_id, payload):
        article_id = handlers.edit_article(ident(article_id), load(ArticleWriteSchema(), payload), actor, self.db())
        return handlers.article_view(article_id, self.db(readonly=True))

    @rpc
    def article_action(self, actor, article_id, action, payload=None):
        if action not in ACTION_SCHEMAS:
            raise NotFound(f"no action {action}", {"action": action})
        article_id = handlers.act(ident(article_id), action, load(ACTION_SCHEMAS[action](), payload), actor,
                                  self.db())
        return handlers.article_view(article_id, self.db(readonly=True))

    @rpc
    def get_article(self, actor, key):
        """Editors and staff: the working copy with versions and steps (by id); anyone else
        the published article by id or slug."""
        if is_editor(actor) and str(key).isdigit():
            return handlers.article_view(ident(key), self.db(readonly=True))
        article = handlers.public_article(key, self.db(readonly=True))
        del article["columns"]          # the portal page's navigation, not part of the API answer
        return article

    @rpc
    def list_articles(self, actor, query=None):
        query = load(ArticleListQuerySchema(), query)
        if is_editor(actor) and not query.get("q"):
            return handlers.list_articles_for_editors(query, self.db(readonly=True))
        return handlers.public_articles(query, self.db(readonly=True))

    # -- the public portal ------------------------------------------------------------------------------
    @rpc
    def portal_home(self):
        return handlers.public_home(self.db(readonly=True))

    @rpc
    def portal_articles(self, query=None):
        return handlers.public_articles(load(ArticleListQuerySchema(), query), self.db(readonly=True))

    @rpc
    def portal_article(self, key):
        return handlers.public_article(key, self.db(readonly=True))

    @rpc
    def portal_feed(self, column=None, limit=30):
        return handlers.public_feed(column, max(1, min(int(limit), 100)), self.db(readonly=True))

    @rpc
    def portal_sitemap(self):
        return handlers.sitemap(self.db(readonly=True))

    # -- scheduled publishing ------------------------------------------------------------------------------
    @timer(interval=SCHEDULER_SECONDS)
    def scheduler(self):
        try:
            published = handlers.publish_due(self.db())
            if published:
                log.info("published %d scheduled article(s)", published)
        except Exception:   # a database outage must not stop the timer; the next tick retries
            log.warning("scheduled publishing failed", exc_info=True)

    # -- drafts from other services' events ---------------------------------------------------------------
    @subscribe("voting", voting_events.VOTE_CLOSED)
    def on_voting_vote_closed(self, envelope):
        handlers.draft_from_vote(envelope, self.db(), "news.vote_closed")

    @subscribe("voting", voting_events.MEETING_ENDED)
    def on_voting_meeting_ended(self, envelope):
        handlers.draft_from_meeting(envelope, self.db(), "news.meeting_ended")

    @subscribe("suggestion", suggestion_events.QUARTER_CLOSED)
    def on_suggestion_quarter_closed(self, envelope):
        handlers.draft_from_suggestion_quarter(envelope, self.db(), "news.suggestion_quarter_closed")

    @rpc
    def suggestion_report_draft(self, actor, query, statistics):
        """The gateway hands over the suggestion service's statistics (GET answer, by department)."""
        query = load(ReportQuerySchema(), query)
        return handlers.suggestion_report_draft(query["year"], query["quarter"], statistics, actor, self.db)

    # -- towns, submissions, scores --------------------------------------------------------------------------
    @rpc
    def list_towns(self):
        return info.list_towns(self.db(readonly=True))

    @rpc
    def submit_piece(self, actor, payload):
        return info.submit(load(SubmissionCreateSchema(), payload), actor, self.db())

    @rpc
    def list_submissions(self, actor, query=None):
        return info.list_submissions(load(SubmissionListQuerySchema(), query), actor, self.db(readonly=True))

    @rpc
    def adopt_piece(self, actor, submission_id, payload):
        return info.adopt(ident(submission_id), load(AdoptionCreateSchema(), payload), actor, self.db())

    @rpc
    def submission_scores(self, query):
        query = load(ScoresQuerySchema(), query)
        return info.scores(query["year"], query["quarter"], self.db(readonly=True))

    @rpc
    def scoring_scheme(self, query):
        return info.get_scheme(load(SchemeQuerySchema(), query)["year"], self.db(readonly=True))

    @rpc
    def put_scoring_scheme(self, actor, query, payload):
        year = load(SchemeQuerySchema(), query)["year"]
        return info.put_scheme(year, load(SchemeUpdateSchema(), payload)["rules"], actor, self.db())

    @rpc
    def report_draft(self, actor, query):
        query = load(ReportQuerySchema(), query)
        return info.report_draft(query["year"], query["quarter"], actor, self.db)
