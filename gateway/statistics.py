"""Gateway routes: suggestion-handling statistics (办复率, 办结率, 满意率, ...), JSON and CSV.

A mixin of GatewayService (gateway/service.py): methods use self.rpc, self.config.
Statistics are public: they aggregate handling results, which the law makes public
(代表法; DOMAIN.md), and name no deputy."""
import csv
import io

from werkzeug.wrappers import Response

from gateway.api import api, query_args  # noqa: F401
from kernel.errors import ValidationFailed
from services.suggestion.stats_domain import csv_records
from services.suggestion.stats_schemas import StatsQuerySchema, StatsSchema

CSV_MIMETYPE = "text/csv"


def wants_csv(request, args):
    """``format=csv``, or no ``format`` and an Accept header preferring text/csv to JSON."""
    chosen = args.pop("format", None)
    if chosen is not None:
        if chosen not in ("json", "csv"):
            raise ValidationFailed("invalid input", {"format": ["must be json or csv"]})
        return chosen == "csv"
    accept = request.accept_mimetypes
    return accept.quality(CSV_MIMETYPE) > accept.quality("application/json")


def csv_response(answer):
    """UTF-8 with a byte-order mark (so Excel reads the Chinese right), CRLF line ends."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(csv_records(answer))
    name = "suggestion-stats-" + "-".join(
        [answer["group_by"]] + [f"{k}{v}" for k, v in sorted(answer.get("filters", {}).items())]) + ".csv"
    return Response(("\ufeff" + buffer.getvalue()).encode("utf-8"), status=200,
                    content_type=f"{CSV_MIMETYPE}; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Vary": "Accept"})


class SuggestionStatisticsRoutes:
    @api("GET", "/api/v1/suggestions/stats", tag="suggestions",
         summary="Handling statistics by department, category, term or session: 办复率 reply_rate, 办结率 "
                 "close_rate, 满意率 satisfaction_rate, A/B/C shares, average days to reply, overdue; with totals. "
                 "JSON, or CSV (format=csv or Accept: text/csv; UTF-8 with BOM). Public.",
         query=StatsQuerySchema, response=StatsSchema,
         media_types={CSV_MIMETYPE: "format=csv or Accept: text/csv: UTF-8 with BOM, CRLF line ends, a header row"})
    def suggestion_stats(self, request, principal):
        args = query_args(request)
        as_csv = wants_csv(request, args)
        answer = self.rpc.call("suggestion", "suggestion_statistics", query=args)
        return csv_response(answer) if as_csv else answer
