"""Gateway routes: suggestion-handling statistics (办复率, 办结率, 满意率, ...), JSON, CSV and XLSX.

A mixin of GatewayService (gateway/service.py): methods use self.rpc, self.config.
Statistics are public: they aggregate handling results, which the law makes public
(代表法; DOMAIN.md), and name no deputy."""
import csv
import io

from werkzeug.wrappers import Response

from gateway.api import api, query_args  # noqa: F401
from gateway.statistics_xlsx import xlsx_bytes
from gateway.xlsx import XLSX_MIMETYPE
from kernel.errors import ValidationFailed
from contracts.suggestion_stats import csv_records
from contracts.suggestion_stats import StatsQuerySchema, StatsSchema

CSV_MIMETYPE = "text/csv"


def wanted_format(request, args):
    """``format=json|csv|xlsx``, or no ``format`` and the Accept header's preference."""
    chosen = args.pop("format", None)
    if chosen is not None:
        if chosen not in ("json", "csv", "xlsx"):
            raise ValidationFailed("invalid input", {"format": ["must be json, csv or xlsx"]})
        return chosen
    accept = request.accept_mimetypes
    best = max(("json", "application/json"), ("csv", CSV_MIMETYPE), ("xlsx", XLSX_MIMETYPE),
               key=lambda option: accept.quality(option[1]))
    return best[0] if accept.quality(best[1]) > accept.quality("application/json") else "json"


def export_name(answer, suffix):
    return "suggestion-stats-" + "-".join(
        [answer["group_by"]] + [f"{k}{v}" for k, v in sorted(answer.get("filters", {}).items())]) + suffix


def xlsx_response(answer):
    return Response(xlsx_bytes(answer), status=200, content_type=XLSX_MIMETYPE,
                    headers={"Content-Disposition": f'attachment; filename="{export_name(answer, ".xlsx")}"',
                             "Vary": "Accept"})


def csv_response(answer):
    """UTF-8 with a byte-order mark (so Excel reads the Chinese right), CRLF line ends."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(csv_records(answer))
    name = export_name(answer, ".csv")
    return Response(("\ufeff" + buffer.getvalue()).encode("utf-8"), status=200,
                    content_type=f"{CSV_MIMETYPE}; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Vary": "Accept"})


class SuggestionStatisticsRoutes:
    @api("GET", "/api/v1/suggestions/stats", tag="suggestions",
         summary="Handling statistics by department, category, term or session: 办复率 reply_rate, 办结率 "
                 "close_rate, 满意率 satisfaction_rate, A/B/C shares, average days to reply, overdue; with totals. "
                 "JSON, CSV (format=csv or Accept: text/csv; UTF-8 with BOM) or Excel (format=xlsx). Public.",
         query=StatsQuerySchema, response=StatsSchema,
         media_types={CSV_MIMETYPE: "format=csv or Accept: text/csv: UTF-8 with BOM, CRLF line ends, a header row",
                      XLSX_MIMETYPE: "format=xlsx: one sheet, the CSV's columns, numbers as numbers, a totals row"})
    def suggestion_stats(self, request, principal):
        args = query_args(request)
        chosen = wanted_format(request, args)
        answer = self.rpc.call("suggestion", "suggestion_statistics", query=args)
        if chosen == "csv":
            return csv_response(answer)
        return xlsx_response(answer) if chosen == "xlsx" else answer
