"""Gateway routes: Suggestion handling (代表建议办理): filing, review, routing, department work, evaluation.

A mixin of GatewayService (gateway/service.py): methods use self.rpc, self.config, self.db.
The actor (who is asking) goes to the service as a plain dict; the service enforces who may
see and do what (a deputy their own, a department its own assignments, staff all)."""
from gateway.api import api, json_body, query_args  # noqa: F401
from kernel.errors import load_payload
from gateway.portal import changes_portal_pages
from contracts.suggestion import (AssignSchema, ContentSchema, DepartmentPageSchema, DepartmentSavedSchema,
                                  DepartmentSaveSchema, EvaluationSchema,
                                  ExtensionDecisionSchema, ExtensionRequestSchema, InboxPageSchema,
                                  InboxQuerySchema, OverduePageSchema, PageQuerySchema, ProposalPageSchema,
                                  ReasonSchema, ReplySchema, ReviewSchema, RoutingRulePageSchema,
                                  RoutingRuleSchema, RuleDeletedSchema, SimilarPageSchema, SimilarQuerySchema,
                                  SuggestionCreateSchema, SuggestionListQuerySchema, SuggestionPageSchema,
                                  SuggestionViewSchema, WithdrawSchema)

TAG = "suggestions"
STAFF = ("staff",)
DEPARTMENT = ("department",)
DEPUTY_OR_STAFF = ("deputy", "staff")



class SuggestionRoutes:
    # -- filing, reading ---------------------------------------------------------------------
    @api("POST", "/api/v1/suggestions", roles=DEPUTY_OR_STAFF, tag=TAG, body=SuggestionCreateSchema,
         response=SuggestionViewSchema, status=201,
         summary="File a suggestion (deputy; staff on behalf with 'deputy'). Idempotency-Key honoured")
    def file_suggestion(self, request, principal):
        return self.rpc.call("suggestion", "file_suggestion", actor=principal.as_actor(), payload=json_body(request),
                             idempotency_key=request.headers.get("Idempotency-Key"))

    @api("GET", "/api/v1/suggestions", tag=TAG, query=SuggestionListQuerySchema, response=SuggestionPageSchema,
         summary="List suggestions: a deputy their own, a department its assignments, staff all, "
                 "the public the handling results")
    def list_suggestions(self, request, principal):
        return self.rpc.call("suggestion", "list_suggestions", actor=principal.as_actor(), query=query_args(request))

    @api("GET", "/api/v1/suggestions/overdue", roles=STAFF, tag=TAG, query=PageQuerySchema,
         response=OverduePageSchema, summary="Overdue assignments (escalated to staff)")
    def overdue_suggestions(self, request, principal):
        return self.rpc.call("suggestion", "overdue", actor=principal.as_actor(), query=query_args(request))

    @api("GET", "/api/v1/suggestions/extensions", roles=STAFF, tag=TAG, query=PageQuerySchema,
         response=InboxPageSchema, summary="Extension requests waiting for a staff decision (wanted date, reason)")
    def extension_requests(self, request, principal):
        return self.rpc.call("suggestion", "extension_requests", actor=principal.as_actor(), query=query_args(request))

    @api("GET", "/api/v1/suggestions/<suggestion_id>", tag=TAG, response=SuggestionViewSchema, errors=(403,),
         summary="One suggestion with its timeline (public: the handling result only)")
    def get_suggestion(self, request, principal, suggestion_id):
        return self.rpc.call("suggestion", "get_suggestion", actor=principal.as_actor(), suggestion_id=suggestion_id)

    @api("GET", "/api/v1/suggestions/<suggestion_id>/similar", roles=STAFF, tag=TAG, query=SimilarQuerySchema,
         response=SimilarPageSchema,
         summary="Possible duplicates (trigram similarity of title and content): merge candidates")
    def similar_suggestions(self, request, principal, suggestion_id):
        limit = load_payload(SimilarQuerySchema(), query_args(request))["limit"]
        return self.rpc.call("suggestion", "similar", actor=principal.as_actor(), suggestion_id=suggestion_id,
                             limit=limit)

    @api("GET", "/api/v1/suggestions/<suggestion_id>/proposals", roles=STAFF, tag=TAG,
         response=ProposalPageSchema, summary="Routing proposal by the current rules")
    def routing_proposals(self, request, principal, suggestion_id):
        return self.rpc.call("suggestion", "proposals", actor=principal.as_actor(), suggestion_id=suggestion_id)

    # -- staff ----------------------------------------------------------------------------------
    @api("POST", "/api/v1/suggestions/<suggestion_id>/review", roles=STAFF, tag=TAG, body=ReviewSchema,
         response=SuggestionViewSchema,
         summary="Accept, reject (reason: personal_matter, petition, court_case, promotion, empty_content, "
                 "other + reason_text) or merge into another (merge_into)")
    def review_suggestion(self, request, principal, suggestion_id):
        return self.rpc.call("suggestion", "review", actor=principal.as_actor(), suggestion_id=suggestion_id,
                             payload=json_body(request))

    @api("POST", "/api/v1/suggestions/<suggestion_id>/assign", roles=STAFF, tag=TAG, body=AssignSchema,
         response=SuggestionViewSchema, summary="Assign to departments (lead / co / separate)")
    def assign_suggestion(self, request, principal, suggestion_id):
        return self.rpc.call("suggestion", "assign", actor=principal.as_actor(), suggestion_id=suggestion_id,
                             payload=json_body(request))

    @api("POST", "/api/v1/suggestions/<suggestion_id>/extension/decision", roles=STAFF, tag=TAG,
         body=ExtensionDecisionSchema, response=SuggestionViewSchema,
         summary="Approve or deny a department's extension request (never past 6 months from assignment)")
    def decide_extension(self, request, principal, suggestion_id):
        return self.rpc.call("suggestion", "decide_extension", actor=principal.as_actor(),
                             suggestion_id=suggestion_id, payload=json_body(request))

    # -- departments ------------------------------------------------------------------------------
    @api("POST", "/api/v1/suggestions/<suggestion_id>/acknowledge", roles=DEPARTMENT, tag=TAG,
         response=SuggestionViewSchema, summary="The department acknowledges its assignment")
    def acknowledge_suggestion(self, request, principal, suggestion_id):
        return self.rpc.call("suggestion", "acknowledge", actor=principal.as_actor(), suggestion_id=suggestion_id)

    @api("POST", "/api/v1/suggestions/<suggestion_id>/return", roles=DEPARTMENT, tag=TAG, body=ReasonSchema,
         response=SuggestionViewSchema, summary="Return an out-of-remit assignment (within N days) to staff")
    def return_suggestion(self, request, principal, suggestion_id):
        return self.rpc.call("suggestion", "return_assignment", actor=principal.as_actor(),
                             suggestion_id=suggestion_id, payload=json_body(request))

    @api("POST", "/api/v1/suggestions/<suggestion_id>/extension", roles=DEPARTMENT, tag=TAG,
         body=ExtensionRequestSchema, response=SuggestionViewSchema, summary="Request an extension")
    def request_extension(self, request, principal, suggestion_id):
        return self.rpc.call("suggestion", "request_extension", actor=principal.as_actor(),
                             suggestion_id=suggestion_id, payload=json_body(request))

    @api("POST", "/api/v1/suggestions/<suggestion_id>/views", roles=DEPARTMENT, tag=TAG, body=ContentSchema,
         response=SuggestionViewSchema, summary="A co-handler sends its written views to the lead department")
    def send_view(self, request, principal, suggestion_id):
        return self.rpc.call("suggestion", "send_view", actor=principal.as_actor(), suggestion_id=suggestion_id,
                             payload=json_body(request))

    @api("POST", "/api/v1/suggestions/<suggestion_id>/reply", roles=DEPARTMENT, tag=TAG, body=ReplySchema,
         response=SuggestionViewSchema, summary="Reply (lead or separate department), category A/B/C")
    def reply_suggestion(self, request, principal, suggestion_id):
        return self.rpc.call("suggestion", "reply", actor=principal.as_actor(), suggestion_id=suggestion_id,
                             payload=json_body(request))

    @api("POST", "/api/v1/suggestions/<suggestion_id>/follow-up", roles=DEPARTMENT, tag=TAG, body=ContentSchema,
         response=SuggestionViewSchema, summary="Follow-up reply once a B/C item is solved")
    def follow_up_suggestion(self, request, principal, suggestion_id):
        return self.rpc.call("suggestion", "follow_up", actor=principal.as_actor(), suggestion_id=suggestion_id,
                             payload=json_body(request))

    # -- deputies -----------------------------------------------------------------------------------
    @api("POST", "/api/v1/suggestions/<suggestion_id>/evaluation", roles=DEPUTY_OR_STAFF, tag=TAG,
         body=EvaluationSchema, response=SuggestionViewSchema,
         summary="Evaluate the reply: satisfied / basically_satisfied close it, unsatisfied re-opens it")
    def evaluate_suggestion(self, request, principal, suggestion_id):
        return self.rpc.call("suggestion", "evaluate", actor=principal.as_actor(), suggestion_id=suggestion_id,
                             payload=json_body(request))

    @api("POST", "/api/v1/suggestions/<suggestion_id>/withdraw", roles=DEPUTY_OR_STAFF, tag=TAG,
         body=WithdrawSchema, response=SuggestionViewSchema, summary="Withdraw (lead deputy, before any reply)")
    def withdraw_suggestion(self, request, principal, suggestion_id):
        return self.rpc.call("suggestion", "withdraw", actor=principal.as_actor(), suggestion_id=suggestion_id,
                             payload=json_body(request))

    # -- departments and routing rules ------------------------------------------------------------------
    @api("GET", "/api/v1/departments", tag=TAG, response=DepartmentPageSchema,
         summary="The county departments suggestions are assigned to")
    def list_departments(self, request, principal):
        return self.rpc.call("suggestion", "list_departments")

    @api("PUT", "/api/v1/departments/<code>", roles=STAFF, tag=TAG, body=DepartmentSaveSchema,
         response=DepartmentSavedSchema,
         summary="Add a department (its queue and AMQP user are provisioned first) or change its name, short "
                 "name or whether it takes new assignments; other services learn it from department_saved")
    @changes_portal_pages
    def save_department(self, request, principal, code):
        return self.rpc.call("suggestion", "save_department", actor=principal.as_actor(), code=code,
                             payload=json_body(request))

    @api("GET", "/api/v1/departments/<code>/inbox", roles=("department", "staff"), tag=TAG,
         query=InboxQuerySchema, response=InboxPageSchema,
         summary="A department's assignments (its own only; staff any)")
    def department_inbox(self, request, principal, code):
        return self.rpc.call("suggestion", "department_inbox", actor=principal.as_actor(), code=code,
                             query=query_args(request))

    @api("GET", "/api/v1/routing-rules", roles=STAFF, tag=TAG, response=RoutingRulePageSchema,
         summary="Routing rules: category and keywords -> department, role, weight")
    def list_routing_rules(self, request, principal):
        return self.rpc.call("suggestion", "list_rules", actor=principal.as_actor())

    @api("POST", "/api/v1/routing-rules", roles=STAFF, tag=TAG, body=RoutingRuleSchema,
         response=RoutingRuleSchema, status=201, summary="Add a routing rule")
    def create_routing_rule(self, request, principal):
        return self.rpc.call("suggestion", "create_rule", actor=principal.as_actor(), payload=json_body(request))

    @api("PATCH", "/api/v1/routing-rules/<int:rule_id>", roles=STAFF, tag=TAG, body=RoutingRuleSchema,
         response=RoutingRuleSchema, summary="Change a routing rule")
    def update_routing_rule(self, request, principal, rule_id):
        return self.rpc.call("suggestion", "update_rule", actor=principal.as_actor(), rule_id=rule_id,
                             payload=json_body(request))

    @api("DELETE", "/api/v1/routing-rules/<int:rule_id>", roles=STAFF, tag=TAG, response=RuleDeletedSchema,
         summary="Delete a routing rule")
    def delete_routing_rule(self, request, principal, rule_id):
        return self.rpc.call("suggestion", "delete_rule", actor=principal.as_actor(), rule_id=rule_id)
