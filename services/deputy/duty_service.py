"""Duty records in the deputy service: ``DutyKeeper`` (a mixin of DeputyService) consumes
voting and suggestion events into the records and answers the duty RPCs. Entrypoints are
thin; every handler is idempotent (``deputy.duty`` claims in processed_events)."""
from contracts.events import suggestion as suggestion_events
from contracts.events import voting as voting_events
from kernel.consumer import rpc, subscribe
from kernel.errors import load_payload as load
from services.deputy import duty_handlers as handlers
from contracts.deputy_duty import (ActivityCreateSchema, ActivityPageSchema, ActivityQuerySchema,
                                   ActivitySchema, DutyRecordSchema, RankingPageSchema, RankingQuerySchema,
                                   SchemeSchema, SchemeUpdateSchema, YearQuerySchema)


def _year(query):
    return load(YearQuerySchema(), query).get("year") or handlers.this_year()


class DutyKeeper:
    """Mixin of DeputyService (which registers ``duty`` with its Database)."""

    def _duty(self, envelope):
        handlers.apply_event(envelope, self.db())

    # One queue per event type; the method names are part of the queue names: do not rename.
    @subscribe("voting", voting_events.MEETING_CREATED)
    def on_voting_meeting_created(self, envelope):
        self._duty(envelope)

    @subscribe("voting", voting_events.MEMBER_SIGNED_IN)
    def on_voting_member_signed_in(self, envelope):
        self._duty(envelope)

    @subscribe("voting", voting_events.MEETING_ENDED)
    def on_voting_meeting_ended(self, envelope):
        self._duty(envelope)

    @subscribe("suggestion", suggestion_events.SUBMITTED)
    def on_suggestion_suggestion_submitted_for_duty(self, envelope):
        self._duty(envelope)

    @subscribe("suggestion", suggestion_events.WITHDRAWN)
    def on_suggestion_suggestion_withdrawn_for_duty(self, envelope):
        self._duty(envelope)

    @subscribe("suggestion", suggestion_events.REJECTED)
    def on_suggestion_suggestion_rejected_for_duty(self, envelope):
        self._duty(envelope)

    @subscribe("suggestion", suggestion_events.REPLIED)
    def on_suggestion_suggestion_replied_for_duty(self, envelope):
        self._duty(envelope)

    @subscribe("suggestion", suggestion_events.CLOSED)
    def on_suggestion_suggestion_closed_for_duty(self, envelope):
        self._duty(envelope)

    # -- RPC ---------------------------------------------------------------------------------------
    @rpc
    def duty_record(self, deputy_id, actor=None, query=None):
        record = handlers.duty_record(deputy_id, _year(query), actor, self.db(readonly=True))
        return DutyRecordSchema().dump(record)

    @rpc
    def duty_summary(self, deputy_id, actor=None, query=None):
        return handlers.duty_summary(deputy_id, _year(query), actor, self.db(readonly=True))

    @rpc
    def record_activity(self, payload, actor=None, idempotency_key=None):
        activity = handlers.record_activity(load(ActivityCreateSchema(), payload), actor, self.db(), idempotency_key)
        return ActivitySchema().dump(activity)

    @rpc
    def list_activities(self, query=None, actor=None):
        page = handlers.list_activities(load(ActivityQuerySchema(), query), actor, self.db(readonly=True))
        return ActivityPageSchema().dump(page)

    @rpc
    def duty_rankings(self, query=None, actor=None):
        page = handlers.rankings(load(RankingQuerySchema(), query), actor, self.db(readonly=True))
        return RankingPageSchema().dump(page)

    @rpc
    def get_duty_scheme(self, query=None):
        return SchemeSchema().dump(handlers.get_scheme(_year(query), self.db(readonly=True)))

    @rpc
    def put_duty_scheme(self, payload, actor=None, query=None):
        scheme = handlers.put_scheme(_year(query), load(SchemeUpdateSchema(), payload), actor, self.db())
        return SchemeSchema().dump(scheme)
