"""The HTTP gateway: the only HTTP entry of the platform.

A nameko service whose ``@api`` entrypoints call the services over RPC, each call with a
deadline (kernel.rpc). nameko ``@http`` rather than a separate WSGI app: the gateway then
shares the services' runner, metrics, logging and correlation-id propagation, and later
consumes events itself (live pushes) with the same reliable consumers.
"""
import secrets

import eventlet.tpool

from gateway import accounts, openapi
from gateway.live import LiveRoutes
from gateway.meetings import MeetingRoutes
from gateway.statistics import SuggestionStatisticsRoutes
from gateway.notifications import NotificationRoutes
from gateway.subscriptions import DepartmentSubscriptionRoutes
from gateway.suggestions import SuggestionRoutes
from gateway.webapp import WebClientRoutes
from gateway.api import api, json_body, query_args
from gateway.auth import check_password, hash_password, issue_token
from gateway.errors import Unauthenticated
from gateway.schemas import DashboardSchema, DeputyAccountSchema, MeSchema, PasswordChangeSchema, TokenRequestSchema, TokenSchema
from kernel.db import Database
from kernel.errors import ValidationFailed, load_payload
from kernel.rpc import ServiceRpc
from kernel.service import PlatformService
from kernel.web import http, json_response
from services.deputy.schemas import (DeputyCreateSchema, DeputyListQuerySchema, DeputyPageSchema,
                                     DeputySchema, DeputyUpdateSchema, StationSchema)

STAFF = ("staff",)
SIGNED_IN = ("deputy", "department", "staff")

def may_see_contact(principal, deputy_id):
    return principal.is_staff or (principal.role == "deputy" and principal.subject == deputy_id)

class GatewayService(WebClientRoutes, SuggestionStatisticsRoutes, SuggestionRoutes, DepartmentSubscriptionRoutes, NotificationRoutes, MeetingRoutes,
                     LiveRoutes, PlatformService):
    name = "gateway"

    db = Database(accounts.REPOSITORIES)
    rpc = ServiceRpc()

    # -- auth --------------------------------------------------------------------------
    @api("POST", "/api/v1/auth/token", summary="Sign in: exchange username and password for a bearer token",
         tag="auth", body=TokenRequestSchema, response=TokenSchema)
    def create_token(self, request, principal):
        credentials = load_payload(TokenRequestSchema(), json_body(request))
        account = accounts.find_account(credentials["username"], self.db(readonly=True))
        # bcrypt is deliberately slow: run it on a real thread, not the event loop.
        valid = account is not None and account["active"] and eventlet.tpool.execute(
            check_password, credentials["password"], account["password_hash"])
        if not valid:
            raise Unauthenticated("invalid username or password")
        ttl = int(self.config.get("JWT_TTL_SECONDS", 43200))
        token = issue_token(account, self.config["JWT_SECRET"], ttl)
        return {"access_token": token, "token_type": "bearer", "role": account["role"],
                "subject": account["subject"], "expires_in": ttl}

    @api("POST", "/api/v1/me/password", roles=SIGNED_IN, tag="auth", body=PasswordChangeSchema,
         summary="Change your own password (the current one is required; at least 10 characters)")
    def change_own_password(self, request, principal):
        command = load_payload(PasswordChangeSchema(), json_body(request))
        if command["new_password"] == command["current_password"]:
            raise ValidationFailed("invalid input", {"new_password": ["must differ from the current password"]})
        account = accounts.find_account(principal.username, self.db(readonly=True))
        if not (account and account["active"] and eventlet.tpool.execute(
                check_password, command["current_password"], account["password_hash"])):
            raise ValidationFailed("invalid input", {"current_password": ["does not match"]})
        accounts.change_password(principal.username, eventlet.tpool.execute(hash_password, command["new_password"]),
                                 self.db())
        return {"username": principal.username, "changed": True}

    @api("GET", "/api/v1/me", roles=SIGNED_IN, summary="Who the bearer token stands for", tag="auth",
         response=MeSchema)
    def me(self, request, principal):
        return {"username": principal.username, "role": principal.role, "subject": principal.subject}

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
    def create_deputy(self, request, principal):
        return self.rpc.call("deputy", "register_deputy", payload=json_body(request),
                             idempotency_key=request.headers.get("Idempotency-Key"))

    @api("POST", "/api/v1/deputies/<deputy_id>/account", roles=STAFF, tag="deputies", response=DeputyAccountSchema,
         summary="Give a deputy a sign-in (username = deputy code) with a new initial password, shown once; "
                 "calling it again resets the password")
    def issue_deputy_account(self, request, principal, deputy_id):
        deputy = self.rpc.call("deputy", "get_deputy", deputy_id=deputy_id)  # 404 for an unknown deputy
        password = secrets.token_urlsafe(12)
        accounts.issue_deputy_password(deputy, eventlet.tpool.execute(hash_password, password), self.db())
        return {"username": deputy["id"], "role": "deputy", "initial_password": password}

    @api("PATCH", "/api/v1/deputies/<deputy_id>", roles=STAFF,
         summary="Change a deputy (send version to make it conditional: 409 if changed meanwhile)",
         tag="deputies", body=DeputyUpdateSchema, response=DeputySchema)
    def update_deputy(self, request, principal, deputy_id):
        return self.rpc.call("deputy", "update_deputy", deputy_id=deputy_id, payload=json_body(request))

    @api("GET", "/api/v1/deputies/<deputy_id>/dashboard", tag="deputies", response=DashboardSchema,
         summary="Profile, suggestions and meeting attendance, gathered concurrently; "
                 "parts whose service is down are listed in 'unavailable'")
    def deputy_dashboard(self, request, principal, deputy_id):
        results, unavailable = self.rpc.gather({
            "deputy": ("deputy", "get_deputy",
                       {"deputy_id": deputy_id, "include_contact": may_see_contact(principal, deputy_id)}),
            "suggestions": ("suggestion", "deputy_summary", {"deputy_id": deputy_id}),
            "attendance": ("voting", "attendance_summary", {"deputy_id": deputy_id}),
        })
        return {"deputy": results.get("deputy"), "suggestions": results.get("suggestions"),
                "attendance": results.get("attendance"), "unavailable": unavailable}

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
