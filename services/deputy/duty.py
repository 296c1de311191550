"""Deputies' duty records (履职档案): parts, scoring rules, bands and what events mean for a
record. Pure Python, no I/O (DOMAIN.md, deputies section).

A record is the set of *entries* of one deputy in one year; each entry is one piece of
evidence (a meeting, a suggestion, an activity, a reception) under one *rule*. The score is
never stored: it is ``base + Σ points(rule)`` over the year's entries, capped, with the
points of that year's scheme — so changing a year's scheme recomputes that year and no other.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

# The vocabulary callers validate against is the contract's (contracts/deputy_duty.py).
from contracts.deputy_duty import ACTIVITY_KINDS, RULE_TABLE  # noqa: F401 (ACTIVITY_KINDS: the vocabulary)

BEIJING = timezone(timedelta(hours=8))

# The 8 parts of a record, in the order they are shown.
PARTS = ("basic", "meetings", "inspections", "training", "group_activities", "suggestions", "voters", "awards")
# What the public sees of a record (besides the basic information without contact data).
PUBLIC_PARTS = ("basic", "meetings", "inspections", "training", "group_activities", "suggestions", "voters",
                "awards")


@dataclass(frozen=True)
class Rule:
    name: str
    part: str
    points: int
    label: str


RULES = {name: Rule(name, part, points, label) for name, part, points, label in RULE_TABLE}
MEETING_RULES = {"present": "meeting_attended", "leave": "meeting_leave", "absent": "meeting_absent"}
# Rules whose entries the public never sees (absences are not published; leave reasons never leave voting).
PRIVATE_RULES = ("meeting_leave", "meeting_absent")
# A suggestion's handling result is public from these statuses on (as in the suggestion service).
PUBLIC_SUGGESTION_STATUSES = ("replied", "rehandling", "closed")
BANDS = (("excellent", 90, "优秀"), ("good", 80, "良好"), ("pass", 60, "合格"), ("fail", None, "不合格"))
# 代表法 Art. 62: two congress sessions (人民代表大会会议) missed without leave.
CONGRESS_KIND = "plenary"
CONGRESS_ABSENCE_LIMIT = 2


def default_scheme():
    return {"base": 60, "cap": 100, "points": {name: rule.points for name, rule in RULES.items()},
            "bands": {name: low for name, low, _ in BANDS if low is not None}}


def validate_scheme(scheme):
    """Problems of a scheme staff send, by field (empty if fine). Missing points keep the
    defaults; unknown rules are refused."""
    problems = {}
    points = scheme.get("points") or {}
    unknown = sorted(set(points) - set(RULES))
    if unknown:
        problems["points"] = [f"unknown rules: {', '.join(unknown)}"]
    for name, value in points.items():
        if name in RULES and not (isinstance(value, int) and -100 <= value <= 100):
            problems.setdefault(f"points.{name}", []).append("an integer from -100 to 100")
    base, cap = scheme.get("base", 60), scheme.get("cap", 100)
    if cap < base:
        problems.setdefault("cap", []).append("must not be below base")
    bands = scheme.get("bands") or {}
    unknown_bands = sorted(set(bands) - {"excellent", "good", "pass"})
    if unknown_bands:
        problems["bands"] = [f"unknown bands: {', '.join(unknown_bands)} (excellent, good, pass)"]
    merged = {**default_scheme()["bands"], **bands}
    if not merged["excellent"] > merged["good"] > merged["pass"]:
        problems.setdefault("bands", []).append("thresholds must fall: excellent > good > pass")
    return problems


def complete_scheme(scheme):
    """A scheme with every rule and band present (defaults for what is not given)."""
    full = default_scheme()
    full["base"] = scheme.get("base", full["base"])
    full["cap"] = scheme.get("cap", full["cap"])
    full["points"].update(scheme.get("points") or {})
    full["bands"].update(scheme.get("bands") or {})
    return full


def band(score, scheme):
    bands = scheme["bands"]
    for name, _, _label in BANDS[:-1]:
        if score >= bands[name]:
            return name
    return "fail"


BAND_LABELS = {name: label for name, _, label in BANDS}


def score(counts, scheme):
    """``counts``: {rule: number of entries}. Returns (score, breakdown rows without evidence):
    [{rule, label, part, count, points_each, points}] for rules with entries, in RULES order."""
    rows, total = [], scheme["base"]
    for name, rule in RULES.items():
        count = counts.get(name, 0)
        if not count:
            continue
        each = scheme["points"].get(name, rule.points)
        rows.append({"rule": name, "label": rule.label, "part": rule.part, "count": count,
                     "points_each": each, "points": each * count})
        total += each * count
    return max(0, min(total, scheme["cap"])), rows


def beijing_date(value):
    """The date in Beijing of an ISO-8601 time (or a date string)."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        return value
    else:
        text = str(value)
        if len(text) == 10:
            return date.fromisoformat(text)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(BEIJING).date()


# -- what events mean ------------------------------------------------------------------------
@dataclass
class Entry:
    deputy_code: str
    rule: str
    evidence_kind: str
    evidence_id: str
    title: str
    occurred_on: date
    evidence_ref: str | None = None
    detail: dict = None
    public: bool = True

    @property
    def year(self):
        return self.occurred_on.year

    @property
    def part(self):
        return RULES[self.rule].part


def meeting_entries(data):
    """``meeting_ended``: one entry per member with the settled outcome."""
    on = beijing_date(data["starts_at"])
    return [Entry(a["deputy_id"], MEETING_RULES[a["outcome"]], "meeting", str(data["meeting_id"]),
                  data.get("title") or "", on, evidence_ref=data.get("kind"), detail={"kind": data.get("kind")},
                  public=MEETING_RULES[a["outcome"]] not in PRIVATE_RULES)
            for a in data.get("attendance") or [] if a.get("outcome") in MEETING_RULES]


def sign_in_entry(data, meeting, occurred_at):
    """``member_signed_in`` of a member: attended (provisional until the meeting ends)."""
    if data.get("role") != "member":
        return None
    meeting = meeting or {}
    on = beijing_date(meeting.get("starts_at") or occurred_at)
    return Entry(data["deputy_id"], "meeting_attended", "meeting", str(data["meeting_id"]),
                 meeting.get("title") or "", on, evidence_ref=meeting.get("kind"),
                 detail={"kind": meeting.get("kind")})


def suggestion_entries(data, occurred_at):
    """A suggestion's deputies: the lead (领衔) and the co-signers (联名)."""
    on = beijing_date(data.get("occurred_at") or occurred_at)
    lead = data.get("lead_deputy")
    codes = list(dict.fromkeys(([lead] if lead else []) + list(data.get("co_signers") or [])
                               + list(data.get("deputies") or [])))
    status = data.get("status")
    return [Entry(code, "suggestion_lead" if code == lead else "suggestion_co", "suggestion",
                  str(data.get("suggestion_id")), data.get("title") or "", on, evidence_ref=data.get("number"),
                  detail={"status": status, "number": data.get("number")},
                  public=status in PUBLIC_SUGGESTION_STATUSES)
            for code in codes if code]


def activity_entries(activity):
    """One entry per participant of an activity staff recorded."""
    return [Entry(code, activity["kind"], "activity", str(activity["id"]), activity["title"],
                  beijing_date(activity["held_on"]), detail={"kind": activity["kind"]},
                  public=bool(activity.get("published", True)))
            for code in dict.fromkeys(activity["participants"])]


def reception_entries(data):
    """``reception_held``: one entry per deputy who sat at the station that day."""
    title = f"{data.get('station_name') or data.get('station_code')}接待选民"
    return [Entry(code, "reception", "reception", str(data["id"]), title, beijing_date(data["held_on"]),
                  evidence_ref=data.get("station_code"), detail={"station": data.get("station_code")})
            for code in dict.fromkeys(data.get("deputies") or [])]


def congress_flag(absences):
    """``absences``: congress sessions (plenary meetings) missed without leave, as entries
    [{evidence_id, title, occurred_on}]. The flag for staff, or None."""
    if len(absences) < CONGRESS_ABSENCE_LIMIT:
        return None
    return {"code": "congress_absences", "count": len(absences),
            "message": f"未经批准{len(absences)}次不出席本级人民代表大会会议（代表法第六十二条）",
            "evidence": absences}
