"""Rules of the portal and of information scoring: plain Python, no I/O.

Workflow of an article (撰稿 → 责任编辑 → 签发)::

    draft ──submit──► submitted ──approve──► approved ──publish──► published
      ▲                   │ reject                │ publish(publish_at in the future)
      └───────────────────┘                       ▼
      ▲                                       scheduled ──(due)──► published
      └── edit of a submitted/approved/scheduled/published/withdrawn article = a new version (draft)
    published | scheduled | (draft/submitted/approved of a live article) ──withdraw(reason)──► withdrawn

The public always sees the last *published* version (``live_version``) while a newer version
is being written and reviewed; withdrawing takes the article off the portal.
"""
import datetime
import re

# The vocabulary callers validate against is the contract's (contracts/news.py).
from contracts.news import STATUSES, LEVELS, COMMENT_LEVELS, KINDS  # noqa: F401

BEIJING = datetime.timezone(datetime.timedelta(hours=8), "Asia/Shanghai")
EDITOR_ROLES = ("editor", "staff", "admin")
APPROVER_ROLES = ("staff", "admin")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class RuleViolation(Exception):
    def __init__(self, kind, message, details=None):
        super().__init__(message)
        self.kind = kind              # conflict | forbidden | unprocessable
        self.message = message
        self.details = details or {}


# action -> (roles allowed, statuses it starts from)
ACTIONS = {
    "submit": (EDITOR_ROLES, ("draft",)),
    "reject": (APPROVER_ROLES, ("submitted",)),
    "approve": (APPROVER_ROLES, ("submitted",)),
    "publish": (APPROVER_ROLES, ("approved", "scheduled")),
    "withdraw": (APPROVER_ROLES, ("published", "scheduled", "draft", "submitted", "approved")),
}
ACTION_LABELS = {"create": "撰稿", "edit": "修改", "submit": "送审", "reject": "退回", "approve": "审核通过",
                 "publish": "签发", "schedule": "定时签发", "withdraw": "撤稿", "auto_publish": "定时发布"}


def check_action(action, role, status, live_version=None):
    """Raise RuleViolation unless ``role`` may ``action`` an article in ``status``."""
    roles, sources = ACTIONS[action]
    if role not in roles:
        raise RuleViolation("forbidden", f"role {role} may not {action} an article",
                            {"required_roles": list(roles)})
    if status not in sources:
        raise RuleViolation("conflict", f"cannot {action} an article that is {status}",
                            {"status": status, "allowed_from": list(sources)})
    if action == "withdraw" and status in ("draft", "submitted", "approved") and live_version is None:
        raise RuleViolation("conflict", "the article is not on the portal: nothing to withdraw",
                            {"status": status})


def edit_effect(status):
    """What an edit does: ``"in_place"`` (a draft changes its own version) or ``"new_version"``
    (anything else becomes a new draft version; the public keeps the live version)."""
    return "in_place" if status == "draft" else "new_version"


def publish_target(publish_at, now):
    """``("published", now)`` or ``("scheduled", publish_at)`` for a publish command."""
    if publish_at is None or publish_at <= now:
        return "published", now
    return "scheduled", publish_at


def default_slug(article_id, created_at):
    """``YYYYMMDD-<id>`` in Beijing time: stable, unique, readable in a URL."""
    return f"{created_at.astimezone(BEIJING):%Y%m%d}-{article_id}"


def beijing(moment):
    return moment.astimezone(BEIJING) if moment is not None else None


# -- information submissions and scoring (信息报送考核) --------------------------------------

DEFAULT_RULES = {
    "points": {"news": {"county": 10, "city": 15, "province": 30, "national": 50},
               "research": {"county": 20, "city": 30, "province": 50, "national": 80}},
    "leader_comment_bonus": {"county": 10, "city": 20, "province": 40},
    "multi_level": "highest",      # or "sum": a piece adopted at several levels
    "quarterly_quota": 6,          # pieces a town submits per quarter
}


def quarter_of(day):
    return (day.month - 1) // 3 + 1


def quarter_bounds(year, quarter):
    """[start, end) dates of a quarter."""
    start = datetime.date(year, 3 * (quarter - 1) + 1, 1)
    end = datetime.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
    return start, end


def piece_points(kind, adoptions, rules):
    """Points of one submitted piece from its adoptions under ``rules``.

    Adoption points: the highest level only (``multi_level = "highest"``) or the sum over
    adoptions; plus the bonus of the highest leader comment (批示) any adoption carries."""
    table = rules["points"][kind]
    level_points = [table[a["level"]] for a in adoptions]
    if not level_points:
        return 0
    points = max(level_points) if rules.get("multi_level", "highest") == "highest" else sum(level_points)
    bonuses = [rules["leader_comment_bonus"][a["leader_comment"]] for a in adoptions if a.get("leader_comment")]
    return points + (max(bonuses) if bonuses else 0)


def rank_towns(towns, pieces, rules):
    """The quarterly ranking. ``towns``: [{code, name}]; ``pieces``: [{town_code, kind,
    adoptions: [...]}] submitted in the quarter. Ties share a rank (1, 1, 3)."""
    quota = rules["quarterly_quota"]
    rows = {t["code"]: {"town": t["code"], "name": t["name"], "points": 0, "pieces": 0, "adopted": 0,
                        "research": 0, "quota": quota} for t in towns}
    for piece in pieces:
        row = rows.get(piece["town_code"])
        if row is None:
            continue
        row["pieces"] += 1
        row["research"] += piece["kind"] == "research"
        if piece["adoptions"]:
            row["adopted"] += 1
        row["points"] += piece_points(piece["kind"], piece["adoptions"], rules)
    ranked = sorted(rows.values(), key=lambda r: (-r["points"], -r["adopted"], r["town"]))
    rank = 0
    previous = None
    for index, row in enumerate(ranked, start=1):
        key = (row["points"], row["adopted"])
        if key != previous:
            rank, previous = index, key
        row["rank"] = rank
        row["quota_met"] = row["pieces"] >= quota
    return ranked


def check_rules(rules):
    """Problems of a scoring scheme ({field: [messages]}), empty when it is usable."""
    problems = {}
    for kind in KINDS:
        for level in LEVELS:
            value = rules.get("points", {}).get(kind, {}).get(level)
            if not isinstance(value, int) or value < 0:
                problems.setdefault(f"points.{kind}.{level}", []).append("a non-negative integer")
    for level in COMMENT_LEVELS:
        value = rules.get("leader_comment_bonus", {}).get(level)
        if not isinstance(value, int) or value < 0:
            problems.setdefault(f"leader_comment_bonus.{level}", []).append("a non-negative integer")
    if rules.get("multi_level") not in ("highest", "sum"):
        problems["multi_level"] = ["highest or sum"]
    if not isinstance(rules.get("quarterly_quota"), int) or rules["quarterly_quota"] < 0:
        problems["quarterly_quota"] = ["a non-negative integer"]
    return problems
