"""services.suggestion: the state machine, due-date rules, numbering and routing (pure), and
the use cases with an in-memory unit of work (kernel.testing.FakeUnitOfWork). The idempotent
filing is checked on PostgreSQL too: tests/integration/test_unit_of_work_on_postgres.py."""
import copy
import datetime

import pytest

from kernel.errors import Conflict, Forbidden, NotFound, Unprocessable, ValidationFailed
from kernel.testing import FakeUnitOfWork
from services.suggestion import domain, handlers
from services.suggestion.domain import Assignment, Suggestion

UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 1, 31, 9, 0, tzinfo=UTC)
STAFF = {"username": "staff", "role": "staff", "subject": None}


def deputy(code):
    return {"username": code, "role": "deputy", "subject": code}


def dept(code):
    return {"username": f"dept-{code}", "role": "department", "subject": code}


# -- pure rules ----------------------------------------------------------------------------------
def test_add_months_clips_to_month_end():
    assert domain.add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert domain.add_months(datetime.date(2027, 11, 30), 3) == datetime.date(2028, 2, 29)
    assert domain.add_months(datetime.date(2026, 5, 15), 12) == datetime.date(2027, 5, 15)


def test_due_dates_by_rule():
    assert domain.due_date_for(NOW) == datetime.date(2026, 4, 30)          # 3 months
    assert domain.due_date_for(NOW, difficult=True) == datetime.date(2026, 7, 31)  # 6 months
    assert domain.latest_due_date(NOW) == datetime.date(2026, 7, 31)       # extensions never past 6 months
    assert domain.rehandling_due_date(NOW) == datetime.date(2026, 2, 28)   # re-handling: 1 month


def test_numbering_series():
    assert domain.format_number(domain.numbering_series(19, 3), 12) == "19-3-012"
    assert domain.format_number(domain.numbering_series(19, None), 4) == "19-B-004"


@pytest.mark.parametrize("action, status", [
    ("accept", "accepted"), ("accept", "closed"), ("evaluate", "assigned"), ("withdraw", "replied"),
    ("withdraw", "rehandling"), ("reply", "submitted"), ("assign", "submitted"), ("follow_up", "assigned"),
])
def test_illegal_transitions_name_the_current_state(action, status):
    with pytest.raises(Conflict) as info:
        domain.check_transition(action, status)
    assert info.value.details["status"] == status and info.value.details["action"] == action


def test_every_status_is_known_to_the_table():
    for action, statuses in domain.SUGGESTION_TRANSITIONS.items():
        assert set(statuses) <= set(domain.STATUSES), action
    for final in domain.FINAL:
        allowed = [a for a, statuses in domain.SUGGESTION_TRANSITIONS.items() if final in statuses]
        assert allowed in ([], ["follow_up"]), (final, allowed)  # closed: only a follow-up reply


def _assignment(department, role, status="assigned"):
    return Assignment(1, "s", department, role, status, True, NOW, datetime.date(2026, 4, 30),
                      datetime.date(2026, 7, 31))


def _suggestion(*assignments, **kwargs):
    s = Suggestion("s", "19-3-001", 19, 3, "t", "c", "教育", "D0001", "assigned", {}, NOW, NOW, **kwargs)
    s.assignments = list(assignments)
    return s


def test_status_derives_from_assignments():
    lead, co = _assignment("edu", "lead"), _assignment("finance", "co")
    s = _suggestion(lead, co)
    assert s.derive_status() == "assigned"
    co.status = "acknowledged"
    assert s.derive_status() == "acknowledged"
    lead.status = "replied"
    assert s.derive_status() == "replied"  # co-handlers do not reply
    sep1, sep2 = _assignment("edu", "separate", "replied"), _assignment("health", "separate", "acknowledged")
    assert _suggestion(sep1, sep2).derive_status() == "acknowledged"  # each separate unit replies
    lead.active, lead.status = False, "returned"
    assert _suggestion(lead, co).derive_status() == "returned"
    reopened = _assignment("edu", "lead", "acknowledged")
    assert _suggestion(reopened, rehandling_round=1).derive_status() == "rehandling"


def test_assignment_transitions():
    a = _assignment("edu", "lead")
    assert domain.check_assignment_transition("acknowledge", a) == "acknowledged"
    a.status = "replied"
    with pytest.raises(Conflict) as info:
        domain.check_assignment_transition("return", a)
    assert info.value.details["assignment_status"] == "replied"


def test_routing_scores_by_category_and_keywords():
    rules = [{"category": None, "keywords": ["学校", "校车"], "department": "edu", "role": "lead", "weight": 1},
             {"category": "交通建设", "keywords": [], "department": "transport", "role": "lead", "weight": 2},
             {"category": "交通建设", "keywords": [], "department": "finance", "role": "co", "weight": 0.5},
             {"category": None, "keywords": ["道路"], "department": "transport", "role": "lead", "weight": 1}]
    proposals = domain.propose_departments(rules, "交通建设", "学校门口道路和校车")
    assert proposals[0] == {"department": "transport", "role": "lead", "score": 3.0}
    assert proposals[1] == {"department": "edu", "role": "co", "score": 2.0}
    assert [p["department"] for p in proposals] == ["transport", "edu", "finance"]
    assert domain.propose_departments(rules, "其他", "无关内容") == []


# -- use cases with a fake unit of work ---------------------------------------------------------------
class FakeSuggestions:
    def __init__(self):
        self.rows, self.counters, self.timelines, self.next_id = {}, {}, {}, 1

    def next_in_series(self, series):
        self.counters[series] = self.counters.get(series, 0) + 1
        return self.counters[series]

    def add(self, s):
        self.rows[s.id] = copy.deepcopy(s)

    def add_deputy(self, suggestion_id, code, role, via=None):
        self.rows[suggestion_id].deputies.append({"code": code, "role": role, "via": via})

    def get(self, suggestion_id, for_update=False):
        return copy.deepcopy(self.rows.get(suggestion_id))

    def save(self, s):
        stored = self.rows[s.id]
        s.version += 1
        keep = stored.deputies, stored.assignments
        self.rows[s.id] = copy.deepcopy(s)
        self.rows[s.id].deputies, self.rows[s.id].assignments = keep

    def add_assignment(self, a):
        a.id, self.next_id = self.next_id, self.next_id + 1
        self.rows[a.suggestion_id].assignments.append(copy.deepcopy(a))

    def save_assignment(self, a):
        rows = self.rows[a.suggestion_id].assignments
        rows[[x.id for x in rows].index(a.id)] = copy.deepcopy(a)

    def add_timeline(self, suggestion_id, event_type, status, actor, occurred_at, **kwargs):
        self.timelines.setdefault(suggestion_id, []).append({"type": event_type, "status": status, "actor": actor})

    def timeline(self, suggestion_id):
        return self.timelines.get(suggestion_id, [])


class FakeDirectory:
    def __init__(self, entries):
        self.entries = entries

    def get(self, code):
        return self.entries.get(code)


class FakeDepartments:
    def get(self, code):
        if code == "retired":
            return {"code": code, "active": False}
        return {"code": code, "active": True} if code in ("edu", "finance", "transport") else None


class FakeRules:
    def all(self, active_only=False):
        return [{"category": "教育", "keywords": [], "department": "edu", "role": "lead", "weight": 2}]


@pytest.fixture
def uow():
    directory = {code: {"code": code, "term": 19, "status": "active"} for code in ("D0001", "D0002")}
    directory["D0009"] = {"code": "D0009", "term": 19, "status": "inactive"}
    return FakeUnitOfWork(suggestions=FakeSuggestions(), deputy_directory=FakeDirectory(directory),
                          departments=FakeDepartments(), routing_rules=FakeRules())


def _file(uow, **kwargs):
    command = {"title": "关于学校校车的建议", "content": "建议更新城关镇学校校车。", "category": "教育", "co_signers": [],
               "session": 3, **kwargs}
    return handlers.file_suggestion(command, deputy("D0001"), uow, now=NOW)


def test_filing_numbers_per_series_and_emits(uow):
    assert _file(uow).number == "19-3-001"
    assert _file(uow).number == "19-3-002"
    assert _file(uow, session=None).number == "19-B-001"
    assert uow.event_types() == ["suggestion_submitted"] * 3


def test_filing_checks_co_signers(uow):
    with pytest.raises(Unprocessable) as info:
        _file(uow, co_signers=["D0002", "D0009", "D0404"])
    assert set(info.value.details) == {"co_signers"} and len(info.value.details["co_signers"]) == 2


def test_idempotent_filing_returns_the_first(uow):
    command = {"title": "关于学校的建议", "content": "内容内容内容内容", "category": "教育", "co_signers": []}
    first = handlers.file_suggestion(command, deputy("D0001"), uow, now=NOW, idempotency_key="k1")
    again = handlers.file_suggestion(command, deputy("D0001"), uow, now=NOW, idempotency_key="k1")
    assert first.id == again.id and len(uow.suggestions.rows) == 1


def test_a_deputy_files_only_their_own(uow):
    with pytest.raises(Forbidden):
        handlers.file_suggestion({"title": "x" * 5, "content": "y" * 10, "deputy": "D0002"}, deputy("D0001"), uow)
    with pytest.raises(ValidationFailed):
        handlers.file_suggestion({"title": "x" * 5, "content": "y" * 10}, STAFF, uow)


def test_lifecycle_and_rehandling_with_the_fake(uow):
    s = _file(uow)
    s = handlers.review(s.id, {"decision": "accept"}, STAFF, uow, now=NOW)
    assert s.status == "routed"
    routed = uow.published[-1]["data"]
    assert routed["proposals"] == [{"department": "edu", "role": "lead", "score": 2.0}]
    s = handlers.assign(s.id, {"assignments": [{"department": "edu", "role": "lead"}]}, STAFF, uow, now=NOW)
    assert s.assignments[0].due_date == datetime.date(2026, 4, 30)
    later = NOW + datetime.timedelta(days=30)
    s = handlers.reply(s.id, {"category": "C", "content": "留作参考"}, dept("edu"), uow, now=later)
    assert s.status == "replied"
    with pytest.raises(Forbidden):
        handlers.evaluate(s.id, {"satisfaction": "satisfied"}, deputy("D0002"), uow, now=later)
    s = handlers.evaluate(s.id, {"satisfaction": "unsatisfied"}, deputy("D0001"), uow, now=later)
    assert s.status == "rehandling" and s.assignments[0].due_date == datetime.date(2026, 4, 2)
    data = uow.published[-1]["data"]
    assert uow.published[-1]["type"] == "suggestion_rehandling_opened" and data["due_date"] == "2026-04-02"
    s = handlers.reply(s.id, {"category": "A", "content": "已解决"}, dept("edu"), uow, now=later)
    s = handlers.evaluate(s.id, {"satisfaction": "satisfied"}, deputy("D0001"), uow, now=later)
    assert s.status == "closed"
    assert [t["type"] for t in uow.suggestions.timeline(s.id)][-2:] == ["suggestion_evaluated", "suggestion_closed"]


def test_unknown_department_and_due_date_cap(uow):
    s = _file(uow)
    handlers.review(s.id, {"decision": "accept"}, STAFF, uow, now=NOW)
    with pytest.raises(Unprocessable) as info:
        handlers.assign(s.id, {"assignments": [{"department": "nowhere", "role": "lead"}]}, STAFF, uow, now=NOW)
    assert "department" in info.value.details
    with pytest.raises(Unprocessable) as info:
        handlers.assign(s.id, {"assignments": [{"department": "edu", "role": "lead"}],
                               "due_date": datetime.date(2026, 8, 1)}, STAFF, uow, now=NOW)
    assert "due_date" in info.value.details
    with pytest.raises(Unprocessable):
        handlers.assign(s.id, {"assignments": [{"department": "finance", "role": "co"}]}, STAFF, uow, now=NOW)
    with pytest.raises(Unprocessable) as info:
        handlers.assign(s.id, {"assignments": [{"department": "retired", "role": "lead"}]}, STAFF, uow, now=NOW)
    assert info.value.details == {"department": ["retired no longer takes assignments"]}


def test_a_co_handler_sends_views_and_cannot_reply(uow):
    s = _file(uow)
    handlers.review(s.id, {"decision": "accept"}, STAFF, uow, now=NOW)
    handlers.assign(s.id, {"assignments": [{"department": "edu", "role": "lead"},
                                           {"department": "finance", "role": "co"}]}, STAFF, uow, now=NOW)
    with pytest.raises(Conflict):
        handlers.reply(s.id, {"category": "A", "content": "x"}, dept("finance"), uow, now=NOW)
    handlers.send_view(s.id, {"content": "同意"}, dept("finance"), uow, now=NOW)
    copy_ = [e for e in uow.published if e["type"] == "suggestion_view_sent"][0]
    assert copy_["data"]["to_department"] == "edu"
    with pytest.raises(NotFound):  # not transport's: as unknown to it as a missing id
        handlers.acknowledge(s.id, dept("transport"), uow, now=NOW)


def test_auto_assignment_above_the_threshold_only(uow):
    s = _file(uow)
    s = handlers.review(s.id, {"decision": "accept"}, STAFF, uow, handlers.SuggestionSettings(), now=NOW)
    assert s.status == "routed" and not s.assignments  # off by default: staff confirm
    t = _file(uow)
    t = handlers.review(t.id, {"decision": "accept"}, STAFF, uow,
                        handlers.SuggestionSettings(auto_assign_threshold=1.5), now=NOW)
    assert t.status == "assigned" and [a.department for a in t.assignments] == ["edu"]
    assigned = [e for e in uow.published if e["type"] == "suggestion_assigned"][-1]
    assert assigned["data"]["automatic"] is True and assigned["data"]["actor"] == {"role": "system"}
    u = _file(uow)
    u = handlers.review(u.id, {"decision": "accept"}, STAFF, uow,
                        handlers.SuggestionSettings(auto_assign_threshold=5), now=NOW)
    assert u.status == "routed"


def test_threshold_setting_reads_off_values():
    assert handlers.SuggestionSettings.from_config({}).auto_assign_threshold is None
    assert handlers.SuggestionSettings.from_config({"SUGGESTION_AUTO_ASSIGN_THRESHOLD": False}).auto_assign_threshold \
        is None
    assert handlers.SuggestionSettings.from_config({"SUGGESTION_AUTO_ASSIGN_THRESHOLD": "2.5"}).auto_assign_threshold \
        == 2.5


# -- what a caller may not see does not exist for them (404, never a 403 that confirms it) -------
def _assigned(uow, department="edu"):
    s = _file(uow)
    handlers.review(s.id, {"decision": "accept"}, STAFF, uow, now=NOW)
    return handlers.assign(s.id, {"assignments": [{"department": department, "role": "lead"}]}, STAFF, uow, now=NOW)


def _same_as_missing(call, uow, suggestion_id):
    """``call(id)`` fails for ``suggestion_id`` exactly as for an id that does not exist."""
    with pytest.raises(NotFound) as hidden:
        call(suggestion_id)
    with pytest.raises(NotFound) as missing:
        call("no-such-id")
    assert hidden.value.message.replace(suggestion_id, "?") == missing.value.message.replace("no-such-id", "?")
    assert set(hidden.value.details) == set(missing.value.details) == {"id"}


def test_another_deputys_suggestion_in_handling_is_not_found(uow):
    s = _assigned(uow)
    other = deputy("D0002")
    _same_as_missing(lambda sid: handlers.get_suggestion(sid, other, uow), uow, s.id)
    _same_as_missing(lambda sid: handlers.evaluate(sid, {"satisfaction": "satisfied"}, other, uow, now=NOW), uow, s.id)
    _same_as_missing(lambda sid: handlers.withdraw(sid, {}, other, uow, now=NOW), uow, s.id)
    assert handlers.get_suggestion(s.id, deputy("D0001"), uow)["id"] == s.id
    with pytest.raises(NotFound):
        handlers.get_suggestion(s.id, {"role": "public"}, uow)


def test_another_departments_assignment_is_not_found(uow):
    s = _assigned(uow, "edu")
    other = dept("finance")
    _same_as_missing(lambda sid: handlers.get_suggestion(sid, other, uow), uow, s.id)
    _same_as_missing(lambda sid: handlers.acknowledge(sid, other, uow, now=NOW), uow, s.id)
    _same_as_missing(lambda sid: handlers.reply(sid, {"category": "A", "content": "x"}, other, uow, now=NOW), uow, s.id)
    _same_as_missing(lambda sid: handlers.request_extension(sid, {"reason": "r"}, other, uow, now=NOW), uow, s.id)
    _same_as_missing(lambda sid: handlers.return_assignment(sid, {"reason": "r"}, other, uow, now=NOW), uow, s.id)
    _same_as_missing(lambda sid: handlers.send_view(sid, {"content": "c"}, other, uow, now=NOW), uow, s.id)
    _same_as_missing(lambda sid: handlers.follow_up(sid, {"content": "c"}, other, uow, now=NOW), uow, s.id)


def test_a_public_result_still_answers_403_for_what_the_caller_may_not_do(uow):
    """Once replied the suggestion is public: its existence is no secret, and who may act
    on it is a plain 403 again."""
    s = _assigned(uow, "edu")
    handlers.reply(s.id, {"category": "A", "content": "已解决"}, dept("edu"), uow, now=NOW)
    with pytest.raises(Forbidden):
        handlers.evaluate(s.id, {"satisfaction": "satisfied"}, deputy("D0002"), uow, now=NOW)
    with pytest.raises(Forbidden):
        handlers.follow_up(s.id, {"content": "c"}, dept("finance"), uow, now=NOW)
    assert handlers.get_suggestion(s.id, deputy("D0002"), uow)["public"] is True
    assert handlers.get_suggestion(s.id, dept("finance"), uow)["public"] is True


def test_staff_only_actions_stay_403_for_everyone_else(uow):
    s = _file(uow)
    for actor in (deputy("D0001"), deputy("D0002"), dept("edu"), {"role": "public"}):
        with pytest.raises(Forbidden):
            handlers.review(s.id, {"decision": "accept"}, actor, uow, now=NOW)


def test_who_sees_all_of_a_deputys_suggestions():
    assert domain.sees_all_suggestions_of(deputy("D0001"), "D0001")
    assert domain.sees_all_suggestions_of(STAFF, "D0001")
    assert domain.sees_all_suggestions_of({"role": "admin", "subject": None}, "D0001")
    for actor in (deputy("D0002"), dept("edu"), {"role": "public"}, {"role": "department", "subject": "D0001"}):
        assert not domain.sees_all_suggestions_of(actor, "D0001"), actor


def test_the_lead_department_sees_the_co_handlers_views_and_no_one_else_does():
    lead, co, other = _assignment("edu", "lead"), _assignment("finance", "co"), _assignment("health", "co")
    co.view_content, co.view_sent_at = "建议统筹资金", NOW
    s = _suggestion(lead, co, other)
    seen_by_lead = {a["department"]: a for a in domain.department_view(s, "edu")["assignments"]}
    assert seen_by_lead["finance"]["view_content"] == "建议统筹资金"
    assert seen_by_lead["finance"]["view_sent_at"] == NOW.isoformat()
    assert seen_by_lead["health"]["view_content"] is None
    assert "reply_content" not in seen_by_lead["finance"]            # still not the co-handler's whole record
    seen_by_co = {a["department"]: a for a in domain.department_view(s, "health")["assignments"]}
    assert "view_content" not in seen_by_co["finance"]               # a co-handler does not see another's views
    lead.active = False                                              # a returned lead no longer sees them
    assert "view_content" not in {a["department"]: a for a in
                                  domain.department_view(s, "edu")["assignments"]}["finance"]


@pytest.mark.parametrize("actor", [dept("edu"), deputy("D0001"), {"username": None, "role": "public",
                                                                    "subject": None}])
def test_only_staff_list_the_extension_requests(actor):
    with pytest.raises(Forbidden):
        handlers.extension_requests({}, actor, FakeUnitOfWork())
