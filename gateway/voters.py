"""Gateway routes of liaison stations and voters (issue 13): reception days, voters'
opinions without an account (rate-limited per client), tracking by code, and what staff and
the station's deputies do with an opinion — including converting it into a deputy's
suggestion.

A mixin of GatewayService (gateway/service.py)."""
from gateway import accounts
from gateway.api import api, json_body, query_args
from gateway.errors import TooManyRequests
from gateway.portal import changes_portal_pages
from gateway.signin import ThrottlePolicy, client_key
from kernel.errors import ValidationFailed, load_payload
from contracts.deputy_voters import (AnswerSchema, ClassifySchema, CloseSchema, ConvertSchema, DeclineSchema,
                                     ForwardSchema, OpinionCreateSchema, OpinionPageSchema, OpinionQuerySchema,
                                     OpinionSchema, ReceptionCreateSchema, ReceptionHeldSchema,
                                     ReceptionPageSchema, ReceptionQuerySchema, ReceptionSchema,
                                     StationOpinionCreateSchema, TrackingSchema)

STAFF = ("staff",)
HANDLERS = ("deputy", "staff")
OPINION = "/api/v1/opinions/<tracking_code>"


def opinion_policy(config):
    """Opinions per client: OPINIONS_PER_CLIENT free in OPINION_WINDOW_SECONDS, then a wait
    that doubles with each further try (the sign-in throttle's rows and rules)."""
    return ThrottlePolicy(free_failures_per_account=0,
                          free_failures_per_client=int(config.get("OPINIONS_PER_CLIENT", 10)),
                          base_seconds=int(config.get("OPINION_BLOCK_SECONDS", 60)),
                          max_seconds=int(config.get("OPINION_BLOCK_MAX_SECONDS", 3600)),
                          window_seconds=int(config.get("OPINION_WINDOW_SECONDS", 3600)))


class VoterRoutes:
    # -- reception days ------------------------------------------------------------------------------
    @api("GET", "/api/v1/stations/<code>/receptions", tag="stations", query=ReceptionQuerySchema,
         response=ReceptionPageSchema, summary="A station's reception days (接待日), newest first, with the rota")
    def list_receptions(self, request, principal, code):
        return self.rpc.call("deputy", "list_receptions", station_code=code, query=query_args(request))

    @api("POST", "/api/v1/stations/<code>/receptions", roles=STAFF, tag="stations", body=ReceptionCreateSchema,
         response=ReceptionSchema, status=201,
         summary="Announce a reception day at least 3 days ahead {date, starts_at, ends_at, deputies} "
                 "(reception_scheduled event), or record one that took place with held: true")
    @changes_portal_pages
    def schedule_reception(self, request, principal, code):
        return self.rpc.call("deputy", "schedule_reception", station_code=code, payload=json_body(request),
                             actor=principal.as_actor())

    @api("POST", "/api/v1/receptions/<reception_id>/held", roles=STAFF, tag="stations", body=ReceptionHeldSchema,
         response=ReceptionSchema,
         summary="The reception day took place: who sat (default the whole rota) — each counts towards the "
                 "twice-a-year rule and the duty record")
    @changes_portal_pages
    def reception_held(self, request, principal, reception_id):
        return self.rpc.call("deputy", "reception_held", reception_id=reception_id, payload=json_body(request),
                             actor=principal.as_actor())

    # -- voters' opinions ------------------------------------------------------------------------------
    @api("POST", "/api/v1/opinions", tag="opinions", body=OpinionCreateSchema, response=TrackingSchema, status=201,
         errors=(429,),
         summary="A voter leaves an opinion at a station, without an account: a tracking code to follow it. "
                 "Limited per client (429 with Retry-After)")
    def submit_opinion(self, request, principal):
        return self._submit_voter_opinion(request, json_body(request))

    @api("POST", "/api/v1/stations/<code>/opinions", tag="opinions", body=StationOpinionCreateSchema,
         response=TrackingSchema, status=201, errors=(429,),
         summary="The same as POST /api/v1/opinions, the station taken from the path (a station's own form); "
                 "a station in the body as well is refused (400)")
    def submit_station_opinion(self, request, principal, code):
        body = json_body(request)
        if "station" in body:
            raise ValidationFailed("invalid input", {"station": ["given by the path: leave it out of the body"]})
        return self._submit_voter_opinion(request, {**body, "station": code})

    def _submit_voter_opinion(self, request, payload):
        """One opinion, counted against the client's allowance (429 with Retry-After)."""
        keys = [f"opinion-client:{client_key(request.remote_addr)}"]
        wait = accounts.take_sign_in_attempt(keys, opinion_policy(self.config), self.db())
        if wait:
            raise TooManyRequests("too many opinions from this client: try again later",
                                  {"retry_after_seconds": wait})
        return self.rpc.call("deputy", "submit_opinion", payload=payload)

    @api("GET", "/api/v1/opinions", roles=HANDLERS, tag="opinions", query=OpinionQuerySchema,
         response=OpinionPageSchema,
         summary="Opinions to handle: staff all, a deputy those of their station or assigned to them "
                 "(contact data: staff and the assigned deputy only)")
    def list_opinions(self, request, principal):
        return self.rpc.call("deputy", "list_opinions", query=query_args(request), actor=principal.as_actor())

    @api("GET", OPINION, tag="opinions", response=TrackingSchema,
         summary="The voter follows an opinion by its tracking code: status and answer, nothing else")
    def track_opinion(self, request, principal, tracking_code):
        return self.rpc.call("deputy", "track_opinion", tracking_code=tracking_code)

    def _opinion_action(self, request, principal, tracking_code, action):
        return self.rpc.call("deputy", "act_on_opinion", tracking_code=tracking_code, action=action,
                             payload=json_body(request), actor=principal.as_actor())

    @api("POST", OPINION + "/classify", roles=HANDLERS, tag="opinions", body=ClassifySchema, response=OpinionSchema,
         summary="Classify {category, deputy?: the assigned deputy} (staff, the station's deputies)")
    def classify_opinion(self, request, principal, tracking_code):
        return self._opinion_action(request, principal, tracking_code, "classify")

    @api("POST", OPINION + "/answer", roles=HANDLERS, tag="opinions", body=AnswerSchema, response=OpinionSchema,
         summary="Answer on the spot {answer}: the voter reads it by tracking code")
    def answer_opinion(self, request, principal, tracking_code):
        return self._opinion_action(request, principal, tracking_code, "answer")

    @api("POST", OPINION + "/forward", roles=HANDLERS, tag="opinions", body=ForwardSchema, response=OpinionSchema,
         summary="Forward to the town government or a county department {to: town | department, department?}")
    def forward_opinion(self, request, principal, tracking_code):
        return self._opinion_action(request, principal, tracking_code, "forward")

    @api("POST", OPINION + "/decline", roles=HANDLERS, tag="opinions", body=DeclineSchema, response=OpinionSchema,
         summary="Decline a kind not accepted online {reason: personal_dispute | petition | court_case | other}; "
                 "the voter reads the reason")
    def decline_opinion(self, request, principal, tracking_code):
        return self._opinion_action(request, principal, tracking_code, "decline")

    @api("POST", OPINION + "/close", roles=HANDLERS, tag="opinions", body=CloseSchema, response=OpinionSchema,
         summary="Close (archive) an answered, forwarded, replied or declined opinion")
    def close_opinion(self, request, principal, tracking_code):
        return self._opinion_action(request, principal, tracking_code, "close")

    @api("POST", OPINION + "/convert", roles=("deputy",), tag="opinions", body=ConvertSchema, response=OpinionSchema,
         summary="A deputy of the station (or the assigned one) files the opinion as their suggestion {title, "
                 "category?}; the opinion links to it and follows its reply and closing. Safe to retry")
    def convert_opinion(self, request, principal, tracking_code):
        command = load_payload(ConvertSchema(), json_body(request))
        actor = principal.as_actor()
        draft = self.rpc.call("deputy", "prepare_opinion_conversion", tracking_code=tracking_code, actor=actor)
        payload = {"title": command["title"], "category": command.get("category") or "其他",
                   "content": f"{draft['content']}\n\n（来源：选民意见，跟踪码 {tracking_code}）"}
        # The same key on a retry returns the suggestion the first try filed: never two. The
        # suggestion keeps its source (the opinion), as the opinion keeps the suggestion.
        suggestion = self.rpc.call("suggestion", "file_suggestion", actor=actor, payload=payload,
                                   idempotency_key=f"opinion-{tracking_code}-{principal.subject}",
                                   source={"kind": "opinion", "tracking_code": tracking_code,
                                           "station_code": draft["station_code"]})
        return self.rpc.call("deputy", "link_opinion_conversion", tracking_code=tracking_code,
                             suggestion={"id": suggestion["id"], "number": suggestion.get("number")}, actor=actor)
