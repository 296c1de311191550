"""The voting service: meetings, sign-in, agenda items, ballots, results and the verifiable
ballot box (issue 4). Entrypoints are thin: load schema → use case → answer."""
import logging

from nameko.timer import timer

from kernel import deputy_directory
from kernel.consumer import rpc
from kernel.db import Database
from kernel.errors import NotFound
from kernel.outbox import OutboxRelay
from kernel.service import PlatformService
from kernel.errors import load_payload as load
from services.voting import handlers, leave
from services.voting.repository import REPOSITORIES
from contracts.voting import (BallotSchema, ItemCreateSchema, LeaveDecisionSchema, LeaveRequestSchema,
                              ManualTallySchema, MeetingCreateSchema, MeetingListQuerySchema, MembersAddSchema,
                              PresenceSchema)

log = logging.getLogger(__name__)
TICK_SECONDS = 0.2
BALLOT_SCHEMA = BallotSchema()   # the hot path: one instance (loading is stateless)



def ident(value, field="id"):
    """A path id: a positive integer, else 404 (there is no such meeting or item)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number <= 0 or number > 2 ** 62:
        raise NotFound(f"no {field} {value}", {field: value})
    return number


class VotingService(deputy_directory.DeputyDirectoryKeeper, PlatformService):
    name = "voting"

    db = Database(REPOSITORIES)
    relay = OutboxRelay()

    # Definitions of items (immutable once created) for the ballot path: one query per item
    # per process instead of one per ballot. Status is always read in the ballot statement.
    item_specs = {}

    # -- meetings and attendance ----------------------------------------------------------------
    @rpc
    def create_meeting(self, payload, actor=None, idempotency_key=None):
        meeting_id = handlers.create_meeting(load(MeetingCreateSchema(), payload), actor, self.db(), idempotency_key)
        return handlers.get_meeting(meeting_id, self.db(readonly=True))

    @rpc
    def add_members(self, meeting_id, payload, actor=None):
        meeting_id = handlers.add_members(ident(meeting_id), load(MembersAddSchema(), payload), actor, self.db())
        return handlers.get_meeting(meeting_id, self.db(readonly=True))

    @rpc
    def list_meetings(self, query=None):
        return handlers.list_meetings(load(MeetingListQuerySchema(), query), self.db(readonly=True))

    @rpc
    def get_meeting(self, meeting_id):
        return handlers.get_meeting(ident(meeting_id), self.db(readonly=True))

    @rpc
    def check_in(self, meeting_id, actor, payload=None):
        body = load(PresenceSchema(), payload)
        return handlers.set_presence(ident(meeting_id), body.get("deputy_id"), True, actor, self.db())

    @rpc
    def check_out(self, meeting_id, actor, payload=None):
        body = load(PresenceSchema(), payload)
        return handlers.set_presence(ident(meeting_id), body.get("deputy_id"), False, actor, self.db())

    @rpc
    def attendance(self, meeting_id):
        return handlers.attendance(ident(meeting_id), self.db(readonly=True))

    @rpc
    def attendance_summary(self, deputy_id):
        """Meeting attendance of one deputy, for the dashboard."""
        return handlers.attendance_summary(deputy_id, self.db(readonly=True))

    # -- leave and the end of a meeting (issue 13) -------------------------------------------------
    @rpc
    def request_leave(self, meeting_id, actor, payload):
        return leave.request_leave(ident(meeting_id), load(LeaveRequestSchema(), payload), actor, self.db())

    @rpc
    def decide_leave(self, meeting_id, deputy_id, actor, payload):
        return leave.decide_leave(ident(meeting_id), deputy_id, load(LeaveDecisionSchema(), payload), actor,
                                  self.db())

    @rpc
    def list_leave(self, meeting_id, actor):
        return leave.list_leave(ident(meeting_id), actor, self.db(readonly=True))

    @rpc
    def end_meeting(self, meeting_id, actor):
        return leave.end_meeting(ident(meeting_id), actor, self.db())

    # -- items and ballots --------------------------------------------------------------------------
    @rpc
    def add_item(self, meeting_id, payload):
        return handlers.add_item(ident(meeting_id), load(ItemCreateSchema(), payload), self.db())

    @rpc
    def open_item(self, meeting_id, item_id):
        return handlers.open_item(ident(meeting_id), ident(item_id, "item_id"), self.db())

    @rpc
    def cast_ballot(self, meeting_id, item_id, actor, payload):
        return handlers.cast_ballot(ident(meeting_id), ident(item_id, "item_id"), actor,
                                    load(BALLOT_SCHEMA, payload), self.db(), self.item_specs)

    @rpc
    def enter_tally(self, meeting_id, item_id, actor, payload):
        return handlers.enter_tally(ident(meeting_id), ident(item_id, "item_id"), load(ManualTallySchema(), payload),
                                    actor, self.db())

    @rpc
    def close_item(self, meeting_id, item_id):
        result = handlers.close_item(ident(meeting_id), ident(item_id, "item_id"), self.db())
        if result["mode"] == "secret":
            handlers.purge_erased_ballots(self.db(readonly=True))
        return result

    @rpc
    def get_result(self, meeting_id, item_id):
        return handlers.get_result(ident(meeting_id), ident(item_id, "item_id"), self.db(readonly=True))

    @rpc
    def pending_voters(self, meeting_id, item_id, actor):
        return handlers.pending_voters(ident(meeting_id), ident(item_id, "item_id"), actor, self.db(readonly=True))

    @rpc
    def audit(self, meeting_id, item_id):
        return handlers.audit(ident(meeting_id), ident(item_id, "item_id"), self.db(readonly=True))

    @rpc
    def receipt(self, meeting_id, item_id, receipt):
        return handlers.receipt(ident(meeting_id), ident(item_id, "item_id"), receipt, self.db(readonly=True))

    # -- the live tally ticker ------------------------------------------------------------------------
    @timer(interval=TICK_SECONDS)
    def tally_ticker(self):
        """Every ~200 ms: a ``tally_updated`` event per open item whose counts changed."""
        try:
            handlers.tick(self.db())
        except Exception:   # a database outage must not kill the ticker; the next tick retries
            log.warning("tally tick failed", exc_info=True)
