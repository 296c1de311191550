"""Gateway routes: Meetings and voting: meetings, sign-in, items, ballots, results, audit.

A mixin of GatewayService (gateway/service.py): methods use self.rpc, self.config, self.db.
The voting service enforces who may do what (a deputy signs in and votes only as
themselves, the chair sees who has not voted); the gateway passes the actor."""
from gateway.api import api, json_body, query_args  # noqa: F401
from contracts.voting import (AttendanceSchema, AuditSchema, BallotSchema, InclusionSchema, ItemCreateSchema,
                              ItemOpenedSchema, ItemSchema, ManualTallySchema, MeetingCreateSchema,
                              MeetingListQuerySchema, MembersAddSchema, MeetingPageSchema, MeetingSchema, PendingSchema,
                              PresenceResultSchema, PresenceSchema, ReceiptSchema, ResultSchema,
                              TallyEnteredSchema)

STAFF = ("staff",)
MEMBER_OR_STAFF = ("deputy", "staff")
TAG = "meetings"
ITEM = "/api/v1/meetings/<meeting_id>/items/<item_id>"



class MeetingRoutes:
    @api("POST", "/api/v1/meetings", roles=STAFF, tag=TAG, body=MeetingCreateSchema, response=MeetingSchema,
         status=201, summary="Create a meeting: kind, title, starts_at, members (deputy codes), observers (列席); "
                 "Idempotency-Key honoured")
    def create_meeting(self, request, principal):
        return self.rpc.call("voting", "create_meeting", payload=json_body(request), actor=principal.as_actor(),
                             idempotency_key=request.headers.get("Idempotency-Key"))

    @api("POST", "/api/v1/meetings/<meeting_id>/members", roles=STAFF, tag=TAG, body=MembersAddSchema,
         response=MeetingSchema,
         summary="Add members (deputy codes) or observers to a meeting: who is already in it is left as is; "
                 "someone in the other role is a 409; a member added while an item is open votes from the next "
                 "item on")
    def add_meeting_members(self, request, principal, meeting_id):
        return self.rpc.call("voting", "add_members", meeting_id=meeting_id, payload=json_body(request),
                             actor=principal.as_actor())

    @api("GET", "/api/v1/meetings", tag=TAG, query=MeetingListQuerySchema, response=MeetingPageSchema,
         summary="Meetings, newest first")
    def list_meetings(self, request, principal):
        return self.rpc.call("voting", "list_meetings", query=query_args(request))

    @api("GET", "/api/v1/meetings/<meeting_id>", tag=TAG, response=MeetingSchema,
         summary="A meeting with its members, observers and agenda items in order")
    def get_meeting(self, request, principal, meeting_id):
        return self.rpc.call("voting", "get_meeting", meeting_id=meeting_id)

    @api("POST", "/api/v1/meetings/<meeting_id>/checkin", roles=MEMBER_OR_STAFF, tag=TAG, body=PresenceSchema,
         response=PresenceResultSchema,
         summary="Sign in: a member themselves, or staff on a member's behalf with {deputy_id} (recorded as such)")
    def meeting_checkin(self, request, principal, meeting_id):
        return self.rpc.call("voting", "check_in", meeting_id=meeting_id, actor=principal.as_actor(),
                             payload=json_body(request))

    @api("POST", "/api/v1/meetings/<meeting_id>/checkout", roles=MEMBER_OR_STAFF, tag=TAG, body=PresenceSchema,
         response=PresenceResultSchema, summary="Leave the meeting (sign in again to return)")
    def meeting_checkout(self, request, principal, meeting_id):
        return self.rpc.call("voting", "check_out", meeting_id=meeting_id, actor=principal.as_actor(),
                             payload=json_body(request))

    @api("GET", "/api/v1/meetings/<meeting_id>/attendance", tag=TAG, response=AttendanceSchema,
         summary="Who is present: 应到, 实到, each member and observer")
    def meeting_attendance(self, request, principal, meeting_id):
        return self.rpc.call("voting", "attendance", meeting_id=meeting_id)

    @api("POST", "/api/v1/meetings/<meeting_id>/items", roles=STAFF, tag=TAG, body=ItemCreateSchema,
         response=ItemSchema, status=201,
         summary="Add an agenda item: resolution, decision, appointment list (per person or merged), removal "
                 "(paper), amendment (amends: the motion's item id)")
    def add_meeting_item(self, request, principal, meeting_id):
        return self.rpc.call("voting", "add_item", meeting_id=meeting_id, payload=json_body(request))

    @api("POST", ITEM + "/open", roles=STAFF, tag=TAG, response=ItemOpenedSchema,
         summary="Open voting: needs quorum (more than half of ALL members present, else 409 with the counts); "
                 "amendments first")
    def open_meeting_item(self, request, principal, meeting_id, item_id):
        return self.rpc.call("voting", "open_item", meeting_id=meeting_id, item_id=item_id)

    @api("POST", ITEM + "/close", roles=STAFF, tag=TAG, response=ResultSchema,
         summary="Close voting: the service computes the result (threshold floor(N/2)+1 of ALL members) and "
                 "publishes the ballot-box digest")
    def close_meeting_item(self, request, principal, meeting_id, item_id):
        return self.rpc.call("voting", "close_item", meeting_id=meeting_id, item_id=item_id)

    @api("POST", ITEM + "/ballots", roles=("deputy",), tag=TAG, body=BallotSchema, response=ReceiptSchema,
         status=201, summary="Vote (present members, while open; the last choice counts). Returns a receipt")
    def cast_ballot(self, request, principal, meeting_id, item_id):
        return self.rpc.call("voting", "cast_ballot", meeting_id=meeting_id, item_id=item_id,
                             actor=principal.as_actor(), payload=json_body(request))

    @api("POST", ITEM + "/tally", roles=STAFF, tag=TAG, body=ManualTallySchema, response=TallyEnteredSchema,
         summary="Show of hands / paper ballot: staff enter the counts; the service decides passed at close")
    def enter_tally(self, request, principal, meeting_id, item_id):
        return self.rpc.call("voting", "enter_tally", meeting_id=meeting_id, item_id=item_id,
                             actor=principal.as_actor(), payload=json_body(request))

    @api("GET", ITEM + "/result", tag=TAG, response=ResultSchema, errors=(409,),
         summary="应到 N, 实到, 赞成, 反对, 弃权, 未按, threshold, passed (per candidate for appointment lists); "
                 "running counts while open")
    def item_result(self, request, principal, meeting_id, item_id):
        return self.rpc.call("voting", "get_result", meeting_id=meeting_id, item_id=item_id)

    @api("GET", ITEM + "/audit", tag=TAG, response=AuditSchema, errors=(409,),
         summary="After close: the digest (Merkle root), hash formats and the anonymised ballots for a recount")
    def item_audit(self, request, principal, meeting_id, item_id):
        return self.rpc.call("voting", "audit", meeting_id=meeting_id, item_id=item_id)

    @api("GET", ITEM + "/receipts/<receipt>", tag=TAG, response=InclusionSchema,
         summary="Is my ballot in the box? Present while open; after close with its inclusion proof")
    def item_receipt(self, request, principal, meeting_id, item_id, receipt):
        return self.rpc.call("voting", "receipt", meeting_id=meeting_id, item_id=item_id, receipt=receipt)

    @api("GET", ITEM + "/pending", roles=MEMBER_OR_STAFF, tag=TAG, response=PendingSchema, errors=(409,),
         summary="Chair and staff: present members who have not voted yet (names only, never choices)")
    def item_pending(self, request, principal, meeting_id, item_id):
        return self.rpc.call("voting", "pending_voters", meeting_id=meeting_id, item_id=item_id,
                             actor=principal.as_actor())
