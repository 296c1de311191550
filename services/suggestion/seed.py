"""Demo suggestions: ~160 across the seeded deputies, categories and departments, in every
state, made through the service's own use cases with the clock set in the past — so their
timelines, due dates and events are real (the events go out when the service's relay runs).
Deterministic (fixed seed); loaded once (a marker in idempotency_keys)."""
import datetime
import random

from kernel.config import service_dsn
from kernel.db import PostgresUnitOfWork, make_pool
from kernel.errors import DomainError
from contracts import reference
from demo import county as demo
from services.suggestion import handlers
from services.suggestion.handlers import SuggestionSettings
from services.suggestion.repository import REPOSITORIES

SEED = 3_1903
MARKER = ("demo_seed", "suggestions-v1")
STAFF = {"username": "staff", "role": "staff", "subject": None}
DAY = datetime.timedelta(days=1)

# (final state, how many, age in days of the filing)
PLAN = [
    ("submitted", 12, (1, 20)), ("rejected", 8, (20, 200)), ("merged", 6, (20, 200)), ("withdrawn", 5, (20, 200)),
    ("routed", 10, (3, 15)), ("assigned", 12, (5, 40)), ("acknowledged", 18, (15, 80)),
    ("overdue", 8, (100, 160)), ("due_soon", 6, (82, 90)), ("returned", 5, (8, 30)),
    ("extension", 6, (60, 85)), ("replied", 16, (60, 200)), ("rehandling", 8, (80, 220)), ("closed", 40, (90, 360)),
]
PROBLEMS = ["年久失修", "存在安全隐患", "群众反映强烈", "覆盖不足", "管理不规范", "资金缺口较大", "设施老化", "服务跟不上"]
ASKS = ["建议尽快安排专项资金解决", "建议加强监管并建立长效机制", "建议纳入明年工作计划", "建议出台扶持政策",
        "建议组织专题调研后推进", "建议加大投入、补齐短板"]
REJECT = [("personal_matter", None), ("petition", None), ("court_case", None), ("promotion", None),
          ("empty_content", None), ("other", "属于镇级事权，已转镇政府办理")]
CATEGORY_OF = {"edu": "教育", "health": "医疗卫生", "transport": "交通建设", "agri": "农业农村", "rural": "乡村振兴",
               "housing": "城乡建设", "hrss": "社会保障", "civil": "社会保障", "ecology": "生态环境",
               "culture": "文化旅游", "finance": "财政经济", "emergency": "安全应急", "forestry": "生态环境",
               "water": "农业农村", "urban": "城乡建设"}


def _deputy(code):
    return {"username": code, "role": "deputy", "subject": code}


def _dept(code):
    return {"username": f"dept-{code}", "role": "department", "subject": code}


def _text(rng, town, department):
    keyword = rng.choice(department["keywords"])
    problem, ask = rng.choice(PROBLEMS), rng.choice(ASKS)
    title = f"关于解决{town}{keyword}{problem}问题的建议"
    content = (f"{town}{keyword}{problem}，影响群众生产生活。经走访调研，{rng.choice(['村民', '居民', '学生家长', '企业'])}"
               f"多次反映。{ask}，由{department['short_name']}牵头落实。")
    return title, content, CATEGORY_OF.get(department["code"], "其他")


def _plan(rng, deputies):
    # 信访局 takes no suggestions; 气象局 is left without demo work (the notifications e2e test
    # measures its statistics from zero)
    departments = [d for d in reference.DEPARTMENTS if d["code"] not in ("petition", "weather")]
    active = [d for d in deputies if d["status"] == "active"]
    county = [d for d in active if d["level"] == "county"] or active
    items = []
    for state, count, (youngest, oldest) in PLAN:
        for _ in range(count):
            lead = rng.choice(county)
            co = rng.sample(county, rng.choice([0, 0, 1, 2]))
            items.append({"state": state, "lead": lead["code"], "town": lead["town"],
                          "co_signers": [d["code"] for d in co if d["code"] != lead["code"]],
                          "department": rng.choice(departments), "age": rng.randint(youngest, oldest),
                          "session": rng.choice([3, 3, 4, None])})
    return items


def _play(item, rng, uow, settings, now):
    """File one suggestion and move it to its planned state, each step at its own moment."""
    t0 = now - item["age"] * DAY
    title, content, category = _text(rng, item["town"], item["department"])
    s = handlers.file_suggestion({"title": title, "content": content, "category": category,
                                  "co_signers": item["co_signers"], "session": item["session"]},
                                 _deputy(item["lead"]), uow(), settings, now=t0)
    state = item["state"]
    if state == "submitted":
        return s
    if state == "rejected":
        reason, text = rng.choice(REJECT)
        return handlers.review(s.id, {"decision": "reject", "reason": reason, "reason_text": text}, STAFF, uow(),
                               settings, now=t0 + DAY)
    if state == "merged":
        return s  # merged after the others exist (see load)
    if state == "withdrawn":
        return handlers.withdraw(s.id, {"reason": "问题已由镇村解决"}, _deputy(item["lead"]), uow(), settings,
                                 now=t0 + 2 * DAY)
    difficult = rng.random() < 0.15
    s = handlers.review(s.id, {"decision": "accept", "difficult": difficult}, STAFF, uow(), settings,
                        now=t0 + 2 * DAY)
    if state == "routed":
        return s
    proposals = handlers.propose(s.id, STAFF, uow()) or [{"department": item["department"]["code"]}]
    wanted = [{"department": proposals[0]["department"], "role": "lead"}]
    if len(proposals) > 1 and rng.random() < 0.5:
        wanted.append({"department": proposals[1]["department"], "role": "co"})
    at = t0 + 4 * DAY
    s = handlers.assign(s.id, {"assignments": wanted}, STAFF, uow(), settings, now=at)
    lead_dept, co_dept = wanted[0]["department"], wanted[1]["department"] if len(wanted) > 1 else None
    if state == "assigned" or state == "due_soon" and rng.random() < 0.5:
        return s
    if state == "returned":
        return handlers.return_assignment(s.id, {"reason": "该事项不属于本单位职责范围"}, _dept(lead_dept), uow(),
                                          settings, now=at + 3 * DAY)
    s = handlers.acknowledge(s.id, _dept(lead_dept), uow(), settings, now=at + 2 * DAY)
    if co_dept:
        handlers.acknowledge(s.id, _dept(co_dept), uow(), settings, now=at + 3 * DAY)
        if state not in ("acknowledged", "overdue", "due_soon"):
            handlers.send_view(s.id, {"content": "我单位原则同意，可在职责范围内给予支持。"}, _dept(co_dept), uow(),
                               settings, now=at + 20 * DAY)
    if state in ("acknowledged", "overdue", "due_soon"):
        return s
    if state == "extension":
        lead = s.assignment_of(lead_dept)
        if lead.due_date >= lead.latest_due_date:  # difficult: 6 months already, no extension possible
            return s
        s = handlers.request_extension(s.id, {"reason": "涉及跨部门协调，需延期办理"}, _dept(lead_dept), uow(),
                                       settings, now=at + 50 * DAY)
        if rng.random() < 0.5:
            s = handlers.decide_extension(s.id, {"department": lead_dept, "approved": rng.random() < 0.7}, STAFF,
                                          uow(), settings, now=at + 52 * DAY)
        return s
    reply_at = at + rng.randint(20, 55) * DAY
    category = rng.choice("AAABBC")
    s = handlers.reply(s.id, {"category": category, "content": _reply(category, item["department"])},
                       _dept(lead_dept), uow(), settings, now=reply_at)
    if state == "replied":
        return s
    if state == "rehandling":
        return handlers.evaluate(s.id, {"satisfaction": "unsatisfied", "comment": "答复过于笼统，未见具体措施"},
                                 _deputy(item["lead"]), uow(), settings, now=reply_at + 5 * DAY)
    satisfaction = rng.choice(["satisfied"] * 6 + ["basically_satisfied"] * 3 + ["unsatisfied"])
    if satisfaction == "unsatisfied":  # re-handled once, then closed
        handlers.evaluate(s.id, {"satisfaction": "unsatisfied"}, _deputy(item["lead"]), uow(), settings,
                          now=reply_at + 5 * DAY)
        reply_at += 20 * DAY
        s = handlers.reply(s.id, {"category": "A", "content": "经重新办理，问题已解决。"}, _dept(lead_dept), uow(),
                           settings, now=reply_at)
        satisfaction, category = "basically_satisfied", "A"
    s = handlers.evaluate(s.id, {"satisfaction": satisfaction}, _deputy(item["lead"]), uow(), settings,
                          now=reply_at + 7 * DAY)
    if category in ("B", "C") and rng.random() < 0.4 and reply_at + 30 * DAY < now:
        s = handlers.follow_up(s.id, {"content": "该事项已于近期全部落实。"}, _dept(lead_dept), uow(), settings,
                               now=reply_at + 30 * DAY)
    return s


def _reply(category, department):
    return {"A": f"经{department['short_name']}研究，建议所提问题已解决，相关措施已落实到位。",
            "B": f"{department['short_name']}已将该事项列入年度工作计划，正在分步实施。",
            "C": "受资金和政策条件限制，目前难以解决，留作今后工作参考。"}[category]


def load_suggestions(uow, config=None, now=None):
    """Load the demo set through the use cases; returns how many suggestions were made."""
    now = now or handlers.utcnow()
    settings = SuggestionSettings.from_config(config or {})
    settings.auto_assign_threshold = None
    with uow() as unit:
        if unit.recall(*MARKER) is not None:
            return 0
    deputies = demo.generate_deputies()
    with uow() as unit:  # the read model, as the deputy service's events would fill it
        for d in deputies:
            unit.deputy_directory.upsert({**d, "version": 1})
        unit.commit()
    rng = random.Random(SEED)
    made = []
    for item in _plan(rng, deputies):
        try:
            made.append((item, _play(item, rng, uow, settings, now)))
        except DomainError as exc:  # a plan step the rules refuse: keep what was made
            raise RuntimeError(f"demo step refused for {item['state']}: {exc.message} {exc.details}") from exc
    open_targets = [s for item, s in made if item["state"] == "acknowledged"]
    for item, s in made:
        if item["state"] == "merged" and open_targets:
            handlers.review(s.id, {"decision": "merge", "merge_into": rng.choice(open_targets).id}, STAFF, uow(),
                            settings, now=s.submitted_at + 3 * DAY)
    with uow() as unit:
        unit.recall(*MARKER)
        unit.remember(*MARKER, {"suggestions": len(made)})
        unit.commit()
    return len(made)


def load_demo(config):
    pool = make_pool(service_dsn(config, "suggestion"), 2, "suggestion-seed")
    pool.open(wait=True, timeout=10)
    try:
        made = load_suggestions(lambda: PostgresUnitOfWork(pool, "suggestion", REPOSITORIES,
                                                           correlation_id="demo-seed"), config)
    finally:
        pool.close()
    return f"{made} suggestions added"
