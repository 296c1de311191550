"""The portal's page of suggestion-handling results (建议办理结果, issue 12).

Read from the suggestion service's PUBLIC view only: the gateway asks as the public actor, so
the service answers what the law makes public (suggestions replied, closed or being handled
again, with the departments' replies; never a deputy's contact data) — the same view
``GET /api/v1/suggestions`` gives an anonymous caller. Rendered and cached like the other
portal pages (PortalRoutes._page: ETag from the data, Last-Modified from the newest reply,
304 before rendering, no cookies)."""
import math
from urllib.parse import urlencode

from gateway.auth import PUBLIC
from gateway.portal import PAGE_SIZE, _parse, portal_page
from kernel.errors import NotFound
from contracts.reference import SUGGESTION_CATEGORIES

RESULT_STATUS = {"replied": "已答复", "closed": "已办结", "rehandling": "重新办理"}
REPLY_CATEGORY = {"A": "A类（已解决或采纳）", "B": "B类（正在解决或列入计划）", "C": "C类（因条件限制留作参考）"}


def newest_reply(suggestions):
    times = [_parse(r["replied_at"]) for s in suggestions for r in s.get("replies", []) if r.get("replied_at")]
    return max(times) if times else None


class PortalResultsRoutes:
    @portal_page("GET", "/portal/suggestions")
    def portal_suggestion_results(self, request):
        def page():
            number = self._page_number(request)
            query = {"limit": PAGE_SIZE, "offset": (number - 1) * PAGE_SIZE}
            category = (request.args.get("category") or "").strip()
            if category:
                query["category"] = category
            data = self.rpc.call("suggestion", "list_suggestions", actor=PUBLIC.as_actor(), query=query)
            pages = max(1, math.ceil(data["total"] / PAGE_SIZE))
            if number > pages:
                raise NotFound("no such page", {"page": number})
            columns = self.rpc.call("news", "list_columns")["items"]
            departments = self._results_departments()

            def page_url(n):
                args = {**({"category": category} if category else {}), **({"page": n} if n > 1 else {})}
                return "/portal/suggestions" + (f"?{urlencode(args)}" if args else "")
            return {**data, "page": number, "category": category}, newest_reply(data["items"]), lambda: self._render(
                "suggestions.html", data, columns=columns, category=category, page=number, pages=pages,
                page_url=page_url, departments=departments, status_names=RESULT_STATUS,
                categories=SUGGESTION_CATEGORIES)
        return self._page(request, page)

    @portal_page("GET", "/portal/suggestions/<suggestion_id>")
    def portal_suggestion_result(self, request, suggestion_id):
        def page():
            suggestion = self.rpc.call("suggestion", "get_suggestion", actor=PUBLIC.as_actor(),
                                       suggestion_id=suggestion_id)
            columns = self.rpc.call("news", "list_columns")["items"]
            departments = self._results_departments()
            return suggestion, newest_reply([suggestion]), lambda: self._render(
                "suggestion.html", {}, columns=columns, suggestion=suggestion, departments=departments,
                status_names=RESULT_STATUS, reply_categories=REPLY_CATEGORY)
        return self._page(request, page)

    def _results_departments(self):
        """Department code → name, for the replies (the suggestion service's public list)."""
        return {d["code"]: d["name"] for d in self.rpc.call("suggestion", "list_departments")["items"]}
