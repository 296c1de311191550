"""The HTTP gateway: the only HTTP entry of the platform.

A nameko service whose ``@api`` entrypoints call the services over RPC, each call with a
deadline (kernel.rpc). nameko ``@http`` rather than a separate WSGI app: the gateway then
shares the services' runner, metrics, logging and correlation-id propagation, and later
consumes events itself (live pushes) with the same reliable consumers.
"""
import secrets

import eventlet.tpool
import jwt

from contracts.events import deputy as deputy_events
from contracts.events import suggestion as suggestion_events
from gateway import accounts, openapi
from gateway.duty import DutyRoutes
from gateway.voters import VoterRoutes
from gateway.budget import BudgetRoutes
from gateway.live import LiveRoutes
from gateway.media import MediaRoutes, MediaStore
from gateway.meetings import MeetingRoutes
from gateway.news import NewsRoutes
from gateway.portal import PortalRoutes, changes_portal_pages
from gateway.portal_results import PortalResultsRoutes
from gateway.portal_people import PortalPeopleRoutes
from gateway.statistics import SuggestionStatisticsRoutes
from gateway.notifications import NotificationRoutes
from gateway.subscriptions import DepartmentSubscriptionRoutes
from gateway.department_amqp import DepartmentAmqpRoutes
from gateway.suggestions import SuggestionRoutes
from gateway.webapp import WebClientRoutes
from gateway.api import api, json_body, query_args
from gateway.auth import hash_password, issue_token, read_token
from gateway.errors import TooManyRequests, Unauthenticated
from gateway.passwords import check_new_password
from gateway.schemas import (DashboardSchema, InitialAccountSchema, MeSchema, PasswordChangedSchema,
                             PasswordChangeSchema, SessionSchema, SignedOutSchema, TokenRequestSchema, TokenSchema)
from gateway.sessions import SESSION_COOKIE, cleared_session_cookie, csrf_token, session_cookie
from gateway.signin import ThrottlePolicy, password_matches, throttle_keys
from gateway.token_check import TokenCheck
from kernel.config import is_production
from kernel.consumer import subscribe
from kernel.db import Database
from kernel.errors import NotFound, ValidationFailed, load_payload
from kernel.rpc import ServiceRpc
from kernel.service import PlatformService
from kernel.web import http, json_response
from contracts.deputy import (DeputyCreateSchema, DeputyListQuerySchema, DeputyPageSchema,
                              DeputySchema, DeputyUpdateSchema, StationSchema)

STAFF = ("staff",)
SIGNED_IN = ("deputy", "department", "staff")

def may_see_contact(principal, deputy_id):
    return principal.is_staff or (principal.role == "deputy" and principal.subject == deputy_id)

class GatewayService(NewsRoutes, MediaRoutes, PortalRoutes, PortalResultsRoutes, PortalPeopleRoutes, BudgetRoutes, WebClientRoutes, SuggestionStatisticsRoutes,
                     SuggestionRoutes, DepartmentSubscriptionRoutes, DepartmentAmqpRoutes, NotificationRoutes,
                     MeetingRoutes, LiveRoutes, DutyRoutes, VoterRoutes, PlatformService):
    name = "gateway"

    db = Database(accounts.REPOSITORIES)
    rpc = ServiceRpc()
    token_check = TokenCheck()
    media = MediaStore()

    # -- auth --------------------------------------------------------------------------
    @api("POST", "/api/v1/auth/token", summary="Sign in: exchange username and password for a bearer token "
                                                "(429 with Retry-After after repeated failures)",
         tag="auth", body=TokenRequestSchema, response=TokenSchema, errors=(429,))
    def create_token(self, request, principal):
        account = self._sign_in(request, load_payload(TokenRequestSchema(), json_body(request)))
        ttl = self._token_ttl()
        token = issue_token(account, self.config["JWT_SECRET"], ttl)
        return {"access_token": token, "token_type": "bearer", "role": account["role"],
                "subject": account["subject"], "expires_in": ttl}

    @api("POST", "/api/v1/auth/session", tag="auth", body=TokenRequestSchema, response=SessionSchema,
         errors=(429,),
         summary="Sign in a browser: sets the httpOnly session cookie and answers the CSRF token that "
                 "cookie-authenticated writes must send as X-CSRF-Token (429 with Retry-After after repeated failures)")
    def create_session(self, request, principal):
        account = self._sign_in(request, load_payload(TokenRequestSchema(), json_body(request)))
        ttl = self._token_ttl()
        session_id = secrets.token_urlsafe(24)
        accounts.start_browser_session(session_id, account["username"], ttl, self.db())
        token = issue_token(account, self.config["JWT_SECRET"], ttl, session_id=session_id)
        body = {"username": account["username"], "role": account["role"], "subject": account["subject"],
                "csrf_token": csrf_token(self.config["JWT_SECRET"], session_id), "expires_in": ttl,
                "must_change_password": bool(account.get("must_change_password"))}
        return 200, {"Set-Cookie": session_cookie(token, ttl, is_production(self.config))}, body

    @api("DELETE", "/api/v1/auth/session", tag="auth", response=SignedOutSchema,
         summary="Sign the browser out: ends its session (also for a copy of the cookie) and clears the cookie")
    def delete_session(self, request, principal):
        cookie = request.cookies.get(SESSION_COOKIE)
        session_id = None
        if cookie:
            try:
                session_id = read_token(cookie, self.config["JWT_SECRET"]).session_id
            except jwt.InvalidTokenError:
                pass
        if session_id:
            accounts.end_browser_session(session_id, self.db())
            self.token_check.forget_session(session_id)
        return 200, {"Set-Cookie": cleared_session_cookie(is_production(self.config))}, {"signed_out": bool(session_id)}

    @api("POST", "/api/v1/me/password", roles=SIGNED_IN, tag="auth", body=PasswordChangeSchema, errors=(429,),
         response=PasswordChangedSchema,
         summary="Change your own password (the current one is required; 10 to 72 bytes, not the username, "
                 "not one repeated character, not a common password). Signs out every token and session")
    def change_own_password(self, request, principal):
        command = load_payload(PasswordChangeSchema(), json_body(request))
        if command["new_password"] == command["current_password"]:
            raise ValidationFailed("invalid input", {"new_password": ["must differ from the current password"]})
        check_new_password(command["new_password"], principal.username)
        # A wrong current password is a failed sign-in: a stolen token must not become a
        # way to guess the password without limit.
        if self._password_checked(request, principal.username, command["current_password"]) is None:
            raise ValidationFailed("invalid input", {"current_password": ["does not match"]})
        accounts.change_password(principal.username, eventlet.tpool.execute(hash_password, command["new_password"]),
                                 self.db())
        self.token_check.forget_account(principal.username)
        return {"username": principal.username, "changed": True}

    @api("GET", "/api/v1/me", roles=SIGNED_IN, summary="Who the token or session stands for (a session also "
                                                      "gets its CSRF token)", tag="auth", response=MeSchema)
    def me(self, request, principal):
        account = accounts.find_account(principal.username, self.db(readonly=True)) or {}
        me = {"username": principal.username, "role": principal.role, "subject": principal.subject,
              "must_change_password": bool(account.get("must_change_password"))}
        if principal.session_id:
            me["csrf_token"] = csrf_token(self.config["JWT_SECRET"], principal.session_id)
        return me

    def _token_ttl(self):
        return int(self.config.get("JWT_TTL_SECONDS", 43200))

    def _sign_in(self, request, credentials):
        """The account, or 401 (wrong username or password: one answer for both) / 429."""
        account = self._password_checked(request, credentials["username"], credentials["password"])
        if account is None:
            raise Unauthenticated("invalid username or password")
        return account

    def _password_checked(self, request, username, password):
        """The account if ``password`` is its password (None if not), checked under the
        sign-in throttle (per account and per client): 429 while blocked."""
        policy = ThrottlePolicy.from_config(self.config)
        keys = throttle_keys(username, request.remote_addr)
        wait = accounts.take_sign_in_attempt(keys, policy, self.db())
        if wait:
            raise TooManyRequests("too many failed sign-ins: try again later", {"retry_after_seconds": wait})
        account = accounts.find_account(username, self.db(readonly=True))
        # bcrypt is deliberately slow: run it on a real thread, not the event loop.
        if not eventlet.tpool.execute(password_matches, account, password):
            return None
        accounts.sign_in_succeeded(keys, self.db())
        return account

    @subscribe("deputy", deputy_events.DEPUTY_UPDATED)
    def on_deputy_deputy_updated(self, envelope):
        """A deputy made inactive loses the sign-in and every token at once (see accounts)."""
        accounts.follow_deputy_status(envelope, "gateway.deputy_accounts", self.db())

    @subscribe("suggestion", suggestion_events.DEPARTMENT_SAVED)
    def on_suggestion_department_saved(self, envelope):
        """A department made inactive loses its sign-in and every token at once (see accounts)."""
        accounts.follow_department_status(envelope, "gateway.department_accounts", self.db())

    # -- deputies and stations -----------------------------------------------------------
    @api("GET", "/api/v1/deputies", summary="List deputies (filter by level, town, station; search by name)",
         tag="deputies", query=DeputyListQuerySchema, response=DeputyPageSchema)
    def list_deputies(self, request, principal):
        return self.rpc.call("deputy", "list_deputies", query=query_args(request),
                             include_contact=principal.is_staff)

    @api("GET", "/api/v1/deputies/<deputy_id>", summary="One deputy (phone and email: staff and the deputy only)",
         tag="deputies", response=DeputySchema)
    def get_deputy(self, request, principal, deputy_id):
        return self.rpc.call("deputy", "get_deputy", deputy_id=deputy_id,
                             include_contact=may_see_contact(principal, deputy_id))

    @api("POST", "/api/v1/deputies", roles=STAFF, summary="Register a deputy (Idempotency-Key honoured)",
         tag="deputies", body=DeputyCreateSchema, response=DeputySchema, status=201)
    @changes_portal_pages
    def create_deputy(self, request, principal):
        return self.rpc.call("deputy", "register_deputy", payload=json_body(request),
                             idempotency_key=request.headers.get("Idempotency-Key"))

    @api("POST", "/api/v1/deputies/<deputy_id>/account", roles=STAFF, tag="deputies", response=InitialAccountSchema,
         summary="Give a deputy a sign-in (username = deputy code) with a new initial password, shown once; "
                 "calling it again resets the password")
    def issue_deputy_account(self, request, principal, deputy_id):
        deputy = self.rpc.call("deputy", "get_deputy", deputy_id=deputy_id)  # 404 for an unknown deputy
        return self._issue_initial_password(
            deputy["id"], "deputy", lambda password_hash: accounts.issue_deputy_password(deputy, password_hash, self.db()))

    @api("POST", "/api/v1/departments/<code>/account", roles=STAFF, tag="suggestions", response=InitialAccountSchema,
         summary="Give a department's staff a sign-in (username dept-<code>) with a new initial password, shown "
                 "once; calling it again resets the password")
    def issue_department_account(self, request, principal, code):
        department = next((d for d in self.rpc.call("suggestion", "list_departments")["items"] if d["code"] == code),
                          None)
        if department is None:
            raise NotFound(f"department {code} not found", {"code": code})
        username = f"dept-{code}"
        return self._issue_initial_password(username, "department", lambda password_hash:
                                            accounts.issue_department_password(department, username, password_hash,
                                                                               self.db()))

    def _issue_initial_password(self, username, role, store):
        password = secrets.token_urlsafe(12)
        check_new_password(password, username, field="initial_password")
        store(eventlet.tpool.execute(hash_password, password))
        self.token_check.forget_account(username)
        return {"username": username, "role": role, "initial_password": password}

    @api("PATCH", "/api/v1/deputies/<deputy_id>", roles=STAFF,
         summary="Change a deputy (send version to make it conditional: 409 if changed meanwhile)",
         tag="deputies", body=DeputyUpdateSchema, response=DeputySchema)
    @changes_portal_pages
    def update_deputy(self, request, principal, deputy_id):
        return self.rpc.call("deputy", "update_deputy", deputy_id=deputy_id, payload=json_body(request))

    @api("GET", "/api/v1/deputies/<deputy_id>/dashboard", tag="deputies", response=DashboardSchema,
         summary="Profile, suggestions and meeting attendance, gathered concurrently; "
                 "parts whose service is down are listed in 'unavailable'. Suggestions: the deputy and staff "
                 "see all; anyone else only the public handling results (replied, rehandling, closed)")
    def deputy_dashboard(self, request, principal, deputy_id):
        results, unavailable = self.rpc.gather({
            "deputy": ("deputy", "get_deputy",
                       {"deputy_id": deputy_id, "include_contact": may_see_contact(principal, deputy_id)}),
            "suggestions": ("suggestion", "deputy_summary", {"actor": principal.as_actor(), "deputy_id": deputy_id}),
            "attendance": ("voting", "attendance_summary", {"deputy_id": deputy_id}),
            "duty": ("deputy", "duty_summary", {"deputy_id": deputy_id, "actor": principal.as_actor()}),
        })
        return {"deputy": results.get("deputy"), "suggestions": results.get("suggestions"),
                "attendance": results.get("attendance"), "duty": results.get("duty"), "unavailable": unavailable}

    @api("GET", "/api/v1/stations", summary="Liaison stations: the 1 + 10 + 40 hierarchy", tag="stations",
         response=StationSchema(many=True))
    def list_stations(self, request, principal):
        return self.rpc.call("deputy", "list_stations")

    # -- operations ------------------------------------------------------------------------
    @http("GET", "/health")
    def http_health(self, request):
        """200 when every service answers ready within its deadline; else 503 naming the others."""
        services = [name for name in self.config["SERVICES"] if name != self.name]
        deadline = float(self.config.get("HEALTH_DEADLINE_SECONDS", 1.0))
        results, unavailable = self.rpc.gather({name: (name, "health", {}) for name in services}, deadline)
        unavailable += sorted(name for name, status in results.items() if not status.get("ready"))
        own = self._readiness()
        if not own["ready"]:
            unavailable.append(self.name)
        body = {"status": "ok" if not unavailable else "degraded", "gateway": own,
                "services": results, "unavailable": sorted(unavailable)}
        return json_response(body, 200 if not unavailable else 503)

    @http("GET", "/api/v1/openapi.json")
    def openapi_document(self, request):
        return json_response(openapi.document(type(self)))

    @http("GET", "/api/docs")
    def swagger_ui(self, request):
        return openapi.swagger_page()

    @http("GET", "/api/docs/static/<path:filename>")
    def swagger_static(self, request, filename):
        return openapi.swagger_asset(filename)
