"""Suggestion-handling statistics (办理情况统计): the arithmetic over counts. Pure Python.

Definitions (DOMAIN.md, [LOCAL] practice):
- 办复率 ``reply_rate``        = replied / assigned
- 办结率 ``close_rate``        = closed / assigned
- 满意率 ``satisfaction_rate`` = (satisfied + basically satisfied) / evaluated
- ``share_a`` / ``share_b`` / ``share_c`` = replies of category A / B / C over all categorised replies
- ``avg_days_to_reply``       = mean days from assignment to reply, over the replied ones
Rates are decimals rounded half-up to 4 places (0.6667), or None when the denominator is 0;
days are rounded to 1 place.

The unit counted depends on the grouping: by department it is the department's
assignments (a suggestion handled by two departments counts once for each; a co-handler's
written view to the lead counts as its reply; evaluations count for the replying, i.e.
lead and separate, departments); by category, term or session it is the suggestion.
"""
from decimal import ROUND_HALF_UP, Decimal

# Raw counts a group has; totals are their sums, so rates of the totals are exact.
COUNT_FIELDS = ("suggestions", "assigned", "replied", "closed", "evaluated", "satisfied", "basically_satisfied",
                "unsatisfied", "replies_a", "replies_b", "replies_c", "overdue", "replied_late")
SUM_FIELDS = ("reply_days_sum",)  # internal: sum of days to reply over the replied ones
RATE_FIELDS = ("reply_rate", "close_rate", "satisfaction_rate", "share_a", "share_b", "share_c")

FOUR_PLACES = Decimal("0.0001")
ONE_PLACE = Decimal("0.1")


def ratio(numerator, denominator, places=FOUR_PLACES):
    """numerator / denominator rounded half-up, or None when the denominator is 0."""
    if not denominator:
        return None
    value = (Decimal(numerator) / Decimal(denominator)).quantize(places, rounding=ROUND_HALF_UP)
    return float(value)


def rates(counts):
    """The derived figures of one group's counts (a dict with COUNT_FIELDS and SUM_FIELDS)."""
    c = {name: counts.get(name) or 0 for name in COUNT_FIELDS + SUM_FIELDS}
    categorised = c["replies_a"] + c["replies_b"] + c["replies_c"]
    return {
        "reply_rate": ratio(c["replied"], c["assigned"]),
        "close_rate": ratio(c["closed"], c["assigned"]),
        "satisfaction_rate": ratio(c["satisfied"] + c["basically_satisfied"], c["evaluated"]),
        "share_a": ratio(c["replies_a"], categorised),
        "share_b": ratio(c["replies_b"], categorised),
        "share_c": ratio(c["replies_c"], categorised),
        "avg_days_to_reply": ratio(c["reply_days_sum"], c["replied"], ONE_PLACE),
    }


def row(group, label, counts):
    """A published row: the group, its label, its counts and its rates."""
    return {"group": group, "label": label, **{name: int(counts.get(name) or 0) for name in COUNT_FIELDS},
            **rates(counts)}


def totals(groups):
    """The sum of every group's counts, with rates recomputed from the sums."""
    summed = {name: sum((g.get(name) or 0) for g in groups) for name in COUNT_FIELDS + SUM_FIELDS}
    return row("total", "合计", summed)


def report(group_by, groups, filters=None):
    """``groups``: [{"group", "label", <counts>}] → the statistics answer."""
    return {"group_by": group_by, "filters": filters or {},
            "rows": [row(g["group"], g["label"], g) for g in groups], "totals": totals(groups)}


def quarter_of(day):
    """(year, quarter) of a calendar day."""
    return day.year, (day.month - 1) // 3 + 1


def last_ended_quarter(day):
    """(year, quarter) of the most recent quarter that ended before ``day`` (the one before
    the quarter ``day`` is in)."""
    year, quarter = quarter_of(day)
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def term_label(term):
    return f"第{term}届"


def session_label(term, session):
    return f"第{term}届" + (f"第{session}次会议期间" if session is not None else "闭会期间")
