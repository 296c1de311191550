"""Suggestion-handling statistics: a mixin of SuggestionService with its @rpc entrypoints.

Counts come from SuggestionStatsRepository, the rates from stats_domain. The repository works
on the unit of work's cursor whether or not the service registered it with its Database
(``STATS_REPOSITORIES``, as ``uow.suggestion_stats``): the service's own file need not change."""
import datetime
from zoneinfo import ZoneInfo

from contracts.events import suggestion as events
from kernel.consumer import rpc
from kernel.errors import load_payload
from services.suggestion import domain, stats_domain
from services.suggestion.domain import COUNTY_TIMEZONE
from services.suggestion.stats_repository import SuggestionStatsRepository
from contracts.suggestion_stats import StatsQuerySchema, StatsSchema

STATS_REPOSITORIES = {"suggestion_stats": SuggestionStatsRepository}
DEFAULT_TIMEZONE = COUNTY_TIMEZONE.key  # overdue is judged on the county's calendar day, as the deadline timer does


def _repository(uow):
    return getattr(uow, "suggestion_stats", None) or SuggestionStatsRepository(uow.cursor)


def suggestion_statistics(query, uow, today, timezone=DEFAULT_TIMEZONE):
    """Use case: the statistics answer for a validated query."""
    with uow:
        return _answer(_repository(uow), query, today, timezone)


def _answer(repository, query, today, timezone):
    group_by = query["group_by"]
    filters = {key: query[key] for key in ("term", "session") if query.get(key) is not None}
    groups = repository.counts(group_by, today, timezone, **filters)
    for group in groups:
        if group_by == "term":
            group["label"] = stats_domain.term_label(group["term"])
        elif group_by == "session":
            group["label"] = stats_domain.session_label(group["term"], group["session"])
    return {**stats_domain.report(group_by, groups, filters), "today": today.isoformat()}


def close_ended_quarter(uow, now=None):
    """Use case (the quarter timer): once the quarter has ended on the county's calendar,
    emit ``suggestion_quarter_closed`` with its statistics by department (what the staff
    action hands the news service), once: the quarter's ``closed_quarters`` row and the
    outbox row commit together, and the row's INSERT … ON CONFLICT DO NOTHING lets only one
    replica (or one run after a restart) claim it. Only the MOST RECENT ended quarter is
    considered: a fresh database does not backfill years of earlier quarters, and a quarter
    missed while the service was down for longer than a whole quarter is not made up.
    Returns the (year, quarter) emitted, or None."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    today = domain.as_date(now)
    year, quarter = stats_domain.last_ended_quarter(today)
    with uow:
        repository = _repository(uow)
        if not repository.claim_closed_quarter(year, quarter, now):
            return None
        statistics = StatsSchema().dump(_answer(repository, {"group_by": "department"}, today, DEFAULT_TIMEZONE))
        uow.emit(events.QUARTER_CLOSED, {"year": year, "quarter": quarter, "statistics": statistics},
                 aggregate_id=f"{year}-Q{quarter}")
        uow.commit()
    return year, quarter


class SuggestionStatistics:
    def _stats_today(self):
        return datetime.datetime.now(ZoneInfo(DEFAULT_TIMEZONE)).date(), DEFAULT_TIMEZONE

    @rpc
    def suggestion_statistics(self, query=None):
        """办复率, 办结率, 满意率, A/B/C shares, days to reply and overdue counts per department,
        category, term or session (filters: term, session), with totals."""
        command = load_payload(StatsQuerySchema(), query)
        today, timezone = self._stats_today()
        return StatsSchema().dump(suggestion_statistics(command, self.db(readonly=True), today, timezone))
