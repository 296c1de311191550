"""Liaison stations and voters (代表家站): reception days and voters' opinions (选民意见).
Rules only, no I/O (DOMAIN.md, deputies section).

Reception days are announced at least ``ANNOUNCE_DAYS`` ahead; a reception that already took
place may be recorded afterwards (it is not an announcement). Each deputy who sat counts
towards the "at least twice a year" rule.

An opinion: received → classified → answered | forwarded | converted (into a deputy's
suggestion) | declined (kinds not accepted online) → closed. A converted opinion follows its
suggestion: replied when the suggestion is replied, closed when it is closed. The voter sees
only the status and the answer, by tracking code.
"""
import secrets
from datetime import date, timedelta

# The vocabulary callers validate against is the contract's (contracts/deputy_voters.py).
from contracts.events import suggestion as suggestion_events
from contracts.deputy_voters import TIME, STATUSES, FORWARD_TARGETS, DECLINE_REASONS  # noqa: F401

ANNOUNCE_DAYS = 3
RECEPTIONS_PER_YEAR = 2

# What the voter sees (and its Chinese label).
VOTER_STATUS = {"received": ("received", "已受理"), "classified": ("in_progress", "办理中"),
                "forwarded": ("in_progress", "已转交办理"), "converted": ("in_progress", "已转为代表建议办理"),
                "answered": ("answered", "已答复"), "replied": ("answered", "已答复"),
                "declined": ("declined", "不予受理"), "closed": ("closed", "已办结")}
# Actions and the statuses they may start from.
ACTIONS = {
    "classify": ("received", "classified"),
    "answer": ("received", "classified", "forwarded"),
    "forward": ("received", "classified"),
    "decline": ("received", "classified"),
    "convert": ("received", "classified"),
    "close": ("answered", "forwarded", "replied", "declined", "classified"),
}
RESULT = {"classify": "classified", "answer": "answered", "forward": "forwarded", "decline": "declined",
          "convert": "converted", "close": "closed"}
# Not accepted online (DOMAIN.md): personal disputes, petitions (信访), court cases.
CATEGORIES = ("economy", "agriculture", "education", "health", "transport", "environment", "social_security",
              "public_safety", "other")


class VoterRule(Exception):
    def __init__(self, kind, message, details=None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.details = details or {}


def new_tracking_code():
    """YJ + 10 characters from an alphabet without look-alikes (≈ 50 bits: not guessable)."""
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return "YJ" + "".join(secrets.choice(alphabet) for _ in range(10))


def check_announcement(held_on, today):
    """A reception day is announced at least ANNOUNCE_DAYS ahead."""
    earliest = today + timedelta(days=ANNOUNCE_DAYS)
    if held_on < earliest:
        raise VoterRule("unprocessable", f"announce reception days at least {ANNOUNCE_DAYS} days ahead",
                        {"date": [f"on or after {earliest.isoformat()} (or record a reception that took place "
                                  "with held: true)"]})


def check_record_held(held_on, today):
    if held_on > today:
        raise VoterRule("unprocessable", "a reception that took place has a date up to today",
                        {"date": [f"on or before {today.isoformat()}"]})


def check_times(starts_at, ends_at):
    if starts_at >= ends_at:
        raise VoterRule("unprocessable", "the reception ends after it starts", {"ends_at": ["after starts_at"]})


def check_action(status, action):
    if status not in ACTIONS[action]:
        raise VoterRule("conflict", f"an opinion that is {status} cannot be {RESULT[action]}",
                        {"status": status, "allowed_from": list(ACTIONS[action])})
    return RESULT[action]


def may_handle(actor, opinion, station_deputies):
    """Staff, the assigned deputy and the station's deputies handle an opinion."""
    actor = actor or {}
    if actor.get("role") in ("staff", "admin"):
        return True
    if actor.get("role") != "deputy":
        return False
    code = actor.get("subject")
    return code == opinion.get("assigned_deputy") or code in station_deputies


def sees_contact(actor, opinion):
    """Contact data: staff and the assigned deputy only."""
    actor = actor or {}
    return actor.get("role") in ("staff", "admin") or (
        actor.get("role") == "deputy" and actor.get("subject") == opinion.get("assigned_deputy"))


def voter_view(opinion):
    status, label = VOTER_STATUS[opinion["status"]]
    return {"tracking_code": opinion["tracking_code"], "status": status, "status_label": label,
            "answer": opinion.get("answer"), "updated_at": opinion.get("updated_at")}


def follow_suggestion(status, event_type):
    """The opinion's new status when its suggestion moves (None: no change)."""
    if event_type in (suggestion_events.REPLIED, suggestion_events.FOLLOWED_UP) and status in ("converted", "replied"):
        return "replied"
    if event_type == suggestion_events.CLOSED and status in ("converted", "replied"):
        return "closed"
    if event_type in (suggestion_events.REJECTED, suggestion_events.WITHDRAWN) and status == "converted":
        return "declined"
    return None


def reply_answer(event_type, data):
    """What the voter reads when the suggestion is replied, closed or not taken up."""
    content = str(data.get("content") or "").strip()
    number = data.get("number") or ""
    if event_type in (suggestion_events.REPLIED, suggestion_events.FOLLOWED_UP):
        return f"您的意见已由代表作为建议（{number}）提出，承办单位答复：{content}" if content else None
    if event_type == suggestion_events.CLOSED:
        return None
    if event_type == suggestion_events.REJECTED:
        return f"由您的意见形成的代表建议（{number}）未予立案。"
    if event_type == suggestion_events.WITHDRAWN:
        return f"由您的意见形成的代表建议（{number}）已撤回。"
    return None


def today_in_beijing(now):
    from services.deputy.duty import BEIJING
    return now.astimezone(BEIJING).date() if hasattr(now, "astimezone") else date.fromisoformat(str(now))
