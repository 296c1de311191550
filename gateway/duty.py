"""Gateway routes of duty records (issue 13): leave and the end of a meeting (voting), the
duty record of a deputy, activities staff record, rankings and the scoring scheme (deputy).

A mixin of GatewayService (gateway/service.py). The services decide who sees what: the
gateway passes the actor."""
from gateway.api import api, json_body, query_args
from gateway.portal import changes_portal_pages
from contracts.deputy_duty import (ActivityCreateSchema, ActivityPageSchema, ActivityQuerySchema,
                                   ActivitySchema, DutyRecordSchema, RankingPageSchema, RankingQuerySchema,
                                   SchemeSchema, SchemeUpdateSchema, YearQuerySchema)
from contracts.voting import (LeaveDecisionSchema, LeavePageSchema, LeaveRequestSchema, LeaveSchema,
                              MeetingEndedSchema)

STAFF = ("staff",)
MEMBER_OR_STAFF = ("deputy", "staff")


class DutyRoutes:
    # -- leave and the end of a meeting (voting) ---------------------------------------------------
    @api("POST", "/api/v1/meetings/<meeting_id>/leave", roles=("deputy",), tag="meetings", body=LeaveRequestSchema,
         response=LeaveSchema, status=201,
         summary="A member asks for leave (请假) with a reason; staff approve or deny. Asking again is allowed "
                 "after a denial")
    def request_leave(self, request, principal, meeting_id):
        return self.rpc.call("voting", "request_leave", meeting_id=meeting_id, actor=principal.as_actor(),
                             payload=json_body(request))

    @api("GET", "/api/v1/meetings/<meeting_id>/leave", roles=MEMBER_OR_STAFF, tag="meetings",
         response=LeavePageSchema, summary="Leave requests: staff see all with reasons, a member only their own")
    def list_leave(self, request, principal, meeting_id):
        return self.rpc.call("voting", "list_leave", meeting_id=meeting_id, actor=principal.as_actor())

    @api("POST", "/api/v1/meetings/<meeting_id>/leave/<deputy_id>/decision", roles=STAFF, tag="meetings",
         body=LeaveDecisionSchema, response=LeaveSchema,
         summary="Staff approve or deny a pending leave request {decision: approve | deny, note?}")
    def decide_leave(self, request, principal, meeting_id, deputy_id):
        return self.rpc.call("voting", "decide_leave", meeting_id=meeting_id, deputy_id=deputy_id,
                             actor=principal.as_actor(), payload=json_body(request))

    @api("POST", "/api/v1/meetings/<meeting_id>/end", roles=STAFF, tag="meetings", response=MeetingEndedSchema,
         summary="End the meeting: settles each member once as present, absent with approved leave or absent "
                 "without leave (meeting_ended event → duty records); no sign-ins afterwards")
    def end_meeting(self, request, principal, meeting_id):
        return self.rpc.call("voting", "end_meeting", meeting_id=meeting_id, actor=principal.as_actor())

    # -- duty records (deputy) -------------------------------------------------------------------------
    @api("GET", "/api/v1/deputies/<deputy_id>/duty-record", tag="duty", query=YearQuerySchema,
         response=DutyRecordSchema,
         summary="A deputy's duty record (履职档案) for a year: 8 parts, score, band and a breakdown in which every "
                 "point links to its evidence. The deputy and staff see everything; anyone else the published "
                 "parts only (no score, no absences, no contact data)")
    def duty_record(self, request, principal, deputy_id):
        return self.rpc.call("deputy", "duty_record", deputy_id=deputy_id, actor=principal.as_actor(),
                             query=query_args(request))

    @api("POST", "/api/v1/activities", roles=STAFF, tag="duty", body=ActivityCreateSchema, response=ActivitySchema,
         status=201,
         summary="Record an activity no system saw (inspection, research, law_check, training, group, "
                 "report_to_voters, award) for its participants' records; Idempotency-Key honoured")
    @changes_portal_pages
    def record_activity(self, request, principal):
        return self.rpc.call("deputy", "record_activity", payload=json_body(request), actor=principal.as_actor(),
                             idempotency_key=request.headers.get("Idempotency-Key"))

    @api("GET", "/api/v1/activities", tag="duty", query=ActivityQuerySchema, response=ActivityPageSchema,
         summary="Activities, newest first (the public sees published ones)")
    def list_activities(self, request, principal):
        return self.rpc.call("deputy", "list_activities", query=query_args(request), actor=principal.as_actor())

    @api("GET", "/api/v1/duty/rankings", roles=STAFF, tag="duty", query=RankingQuerySchema,
         response=RankingPageSchema,
         summary="Deputies ranked by the year's score, by level and town; flags deputies who missed two congress "
                 "sessions without leave (代表法 Art. 62)")
    def duty_rankings(self, request, principal):
        return self.rpc.call("deputy", "duty_rankings", query=query_args(request), actor=principal.as_actor())

    @api("GET", "/api/v1/duty/scoring-scheme", tag="duty", query=YearQuerySchema, response=SchemeSchema,
         summary="The year's scoring scheme: base, cap, points per rule, bands (version 0: the defaults)")
    def get_duty_scheme(self, request, principal):
        return self.rpc.call("deputy", "get_duty_scheme", query=query_args(request))

    @api("PUT", "/api/v1/duty/scoring-scheme", roles=STAFF, tag="duty", query=YearQuerySchema,
         body=SchemeUpdateSchema, response=SchemeSchema,
         summary="Change the year's scheme (a new version; that year's scores follow, other years keep theirs)")
    def put_duty_scheme(self, request, principal):
        return self.rpc.call("deputy", "put_duty_scheme", payload=json_body(request), actor=principal.as_actor(),
                             query=query_args(request))
