"""The public portal's deputies and stations (代表风采, 代表联络站): the 1 + 10 + 40 stations
with their coming reception days (date, time, the deputies on duty), one station's page, the
deputy list and a deputy's public profile with the published parts of the duty record.

A mixin of GatewayService beside PortalRoutes (gateway/portal.py), whose page plumbing it
uses: no cookies, ``Cache-Control: public``, an ETag from the data shown, 304 before
rendering. The deputy service builds every view from public fields only (contact data and
leave reasons never reach these pages); the news service gives the column navigation — when
it is down the pages still render, without the columns."""
import datetime
import math
from urllib.parse import urlencode

from gateway.portal import ENV
from kernel.errors import NotFound, ServiceUnavailable, ValidationFailed
from kernel.web import http

DEPUTY_PAGE_SIZE = 60
LEVEL_LABELS = {"county": "县人大代表", "town": "镇人大代表"}
WEEKDAYS = "一二三四五六日"


def weekday(iso_date):
    return "星期" + WEEKDAYS[datetime.date.fromisoformat(iso_date).weekday()]


ENV.filters["weekday"] = weekday


class PortalPeopleRoutes:
    @http("GET", "/portal/stations")
    def portal_stations(self, request):
        def page():
            data, columns = self._portal_people_data("portal_stations", {})
            return {**data, "columns": columns}, None, lambda: self._render(
                "stations.html", data, columns=columns, active="stations")
        return self._page(request, page)

    @http("GET", "/portal/stations/<code>")
    def portal_station(self, request, code):
        def page():
            data, columns = self._portal_people_data("portal_station", {"code": code})
            return {**data, "columns": columns}, None, lambda: self._render(
                "station.html", data, columns=columns, active="stations", level_labels=LEVEL_LABELS)
        return self._page(request, page)

    @http("GET", "/portal/deputies")
    def portal_deputies(self, request):
        def page():
            number = self._page_number(request)
            filters = {k: v for k in ("level", "town", "q") if (v := (request.args.get(k) or "").strip()[:20])}
            if filters.get("level") and filters["level"] not in LEVEL_LABELS:
                raise ValidationFailed("invalid input", {"level": ["county or town"]})
            data, columns = self._portal_people_data("portal_deputies", {"query": {
                **filters, "limit": DEPUTY_PAGE_SIZE, "offset": (number - 1) * DEPUTY_PAGE_SIZE}})
            pages = max(1, math.ceil(data["total"] / DEPUTY_PAGE_SIZE))
            if number > pages:
                raise NotFound("no such page", {"page": number})
            return {**data, "columns": columns, "page": number}, None, lambda: self._render(
                "deputies.html", data, columns=columns, active="deputies", filters=filters, page=number,
                pages=pages, level_labels=LEVEL_LABELS,
                page_url=lambda n: "/portal/deputies?" + urlencode({**filters, "page": n}))
        return self._page(request, page)

    @http("GET", "/portal/deputies/<deputy_id>")
    def portal_deputy(self, request, deputy_id):
        def page():
            year = request.args.get("year")
            query = {"year": year} if year else {}
            data, columns = self._portal_people_data("portal_deputy", {"deputy_id": deputy_id, "query": query})
            return {**data, "columns": columns}, None, lambda: self._render(
                "deputy.html", data, columns=columns, active="deputies", level_labels=LEVEL_LABELS)
        return self._page(request, page)

    def _portal_people_data(self, method, kwargs):
        """The page's data from the deputy service and the column navigation from news, at
        once. A deputy-service error propagates (404, 400, 503 pages); news missing only
        costs the navigation."""
        # The columns first: their answer is collected before the page's data may raise.
        results, unavailable = self.rpc.gather({"columns": ("news", "list_columns", {}),
                                                "data": ("deputy", method, kwargs)})
        if "data" in unavailable:
            raise ServiceUnavailable("the deputy service did not answer", {"service": "deputy"})
        columns = results["columns"]["items"] if "columns" in results else []
        return results["data"], columns
