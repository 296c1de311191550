"""Demo duty data (issue 13), so a fresh ``make run`` shows real duty records, reception days
on the portal and voters' opinions in several states: made through the service's own use
cases (events, duty entries and notifications as in real use).

Deterministic for a given day: the plan is a pure function of ``today`` (fixed seed, fixed
texts, fixed tracking codes ``YJDEMO0001`` …). What happened in the past — reception days
that were held, activities staff recorded, opinions — is loaded once (a marker in
idempotency_keys); coming reception days are topped up on every load, so that each demo
station always has one announced at least 3 days ahead."""
import random
from datetime import timedelta

from demo import county as demo
from services.deputy import duty_handlers, voters_handlers

MARKER = ("demo_seed", "duty-v1")
SEED = 13_0693
STAFF = {"username": "staff", "role": "staff", "subject": None}
DEMO_DEPUTY = "D0001"          # the README's demo deputy account: a full record on the phone
SHIFTS = (("09:00", "12:00"), ("14:30", "17:30"))
TRACKING = "YJDEMO{:04d}"
# Deputies the automated tests use by code (their records start from the roster alone), and
# the town whose ranking a console test reads: the demo's points go elsewhere.
AVOID = frozenset({"D0101", "D0102", "D0103", "D0201", "D0202", "D0203", "D0204", "D0205", "D0221", "D0222",
                   "D0301", "D0302", "D0303", "D0404", "D0500", "D0611", "D0671", "D0672"})
QUIET_TOWN = demo.COUNTY_SEAT

# (kind, title, days ago, how many participants)
ACTIVITIES = (
    ("inspection", "视察秦岭生态环境保护工作", 40, 5),
    ("research", "调研全县农村饮水安全工作", 25, 4),
    ("law_check", "《中华人民共和国水污染防治法》执法检查", 60, 4),
    ("training", "全县人大代表履职能力培训班", 75, 8),
    ("group", "代表小组集中学习活动", 15, 4),
    ("report_to_voters", "向原选区选民报告履职情况", 10, 1),
    ("award", "全县优秀人大代表表彰", 90, 1),
)

# (station index in the plan's stations, content, voter name, contact, category, steps)
# steps: [(action, command)] applied by staff in order.
OPINIONS = (
    (0, "村口到镇上的通村公路有几处塌方，雨天通行困难，希望尽快修复。", "张先生", "13800000001", None, []),
    (1, "希望在集镇增设几个公共厕所，方便赶集的群众。", None, None, None, []),
    (0, "小区周边路灯长期不亮，晚上出行不安全。", "李女士", "13800000002", "城乡建设",
     [("classify", {"category": "城乡建设", "deputy": DEMO_DEPUTY})]),
    (2, "学校门口早晚高峰车辆拥堵，建议安排交警疏导。", "王老师", "13800000003", "教育",
     [("answer", {"answer": "已联系县公安局交警大队，上下学时段在校门口安排警力疏导。"})]),
    (3, "村里的饮水管道老化漏水，夏季经常停水。", "赵大爷", None, "农业农村",
     [("forward", {"to": "department", "department": "water"})]),
    (1, "镇卫生院周末没有儿科医生，孩子看病要跑县城。", None, "13800000004", "医疗卫生",
     [("forward", {"to": "town"})]),
    (4, "我和邻居的宅基地纠纷法院已经立案，请人大帮忙催一下判决。", "陈先生", "13800000005", None,
     [("decline", {"reason": "court_case"})]),
    (2, "建议在县城河堤步道增设健身器材。", "刘女士", None, "城乡建设",
     [("answer", {"answer": "县住建局已将河堤步道健身器材纳入今年城市更新项目，预计年底前安装。"}),
      ("close", {})]),
)


def _active_deputies():
    """Active deputies the demo may give a record: D0001 (the demo sign-in), not D0002 …
    D0009 (other sign-ins used in examples), none the tests use by code."""
    return [d for d in demo.generate_deputies() if d["status"] == "active" and d["code"] not in AVOID
            and (d["code"] == DEMO_DEPUTY or d["code"] >= "D0010")]


def plan(today):
    """What the demo adds, for the given Beijing date: {"stations", "held", "upcoming",
    "activities", "opinions"}; dates as ``date`` objects. The same day gives the same plan."""
    rng = random.Random(SEED)
    deputies = _active_deputies()
    by_station = {}
    for d in deputies:
        by_station.setdefault(d["station_code"], []).append(d["code"])
    home = next(d for d in deputies if d["code"] == DEMO_DEPUTY)["station_code"]
    all_stations = demo.generate_stations()
    towns = [s["code"] for s in all_stations if s["level"] == "town"][:3]
    villages = [s["code"] for s in all_stations if s["level"] == "village" and s["town"] != QUIET_TOWN][:2]
    stations = [home, "ST-000", *towns, *villages]

    def rota(station, size=2, must=None):
        pool = by_station.get(station, [])
        chosen = [must] if must else []
        rest = [c for c in pool if c not in chosen]
        return chosen + sorted(rng.sample(rest, min(size - len(chosen), len(rest))))

    held, upcoming = [], []
    for index, station in enumerate(stations):
        shift = SHIFTS[index % 2]
        must = DEMO_DEPUTY if station == home else None
        held.append({"station": station, "date": today - timedelta(days=20 + 7 * index), "starts_at": shift[0],
                     "ends_at": shift[1], "deputies": rota(station, must=must)})
        upcoming.append({"station": station, "date": today + timedelta(days=3 + index), "starts_at": shift[0],
                         "ends_at": shift[1], "deputies": rota(station, must=must)})

    county = sorted(d["code"] for d in deputies if d["level"] == "county" and d["town"] != QUIET_TOWN)
    activities = []
    for kind, title, days_ago, size in ACTIVITIES:
        if kind == "report_to_voters":
            participants = [DEMO_DEPUTY]
        elif kind == "group":
            participants = rota(towns[0], size=size)
        else:
            participants = sorted(rng.sample(county, size - 1)) + [DEMO_DEPUTY] if kind == "inspection" \
                else sorted(rng.sample(county, size))
        activities.append({"kind": kind, "title": title, "date": today - timedelta(days=days_ago),
                           "participants": participants,
                           "description": f"{title}（演示数据）"})

    opinions = [{"tracking_code": TRACKING.format(number), "station": stations[where], "content": content,
                 "name": name, "contact": contact, "category": category, "steps": steps}
                for number, (where, content, name, contact, category, steps) in enumerate(OPINIONS, start=1)]
    return {"stations": stations, "held": held, "upcoming": upcoming, "activities": activities,
            "opinions": opinions}


def load(uow, today):
    """Apply the plan through the use cases; returns what was added, by kind."""
    the_plan = plan(today)
    added = {"upcoming": 0, "held": 0, "activities": 0, "opinions": 0}
    for reception in the_plan["upcoming"]:
        with uow:
            announced = uow.voters.upcoming_receptions(today, station=reception["station"], limit=1)
        if not announced:
            voters_handlers.schedule_reception(reception["station"], _reception_command(reception), STAFF, uow,
                                               today=today)
            added["upcoming"] += 1
    with uow:
        if uow.recall(*MARKER) is not None:
            return added
    for reception in the_plan["held"]:
        voters_handlers.schedule_reception(reception["station"], {**_reception_command(reception), "held": True},
                                           STAFF, uow, today=today)
        added["held"] += 1
    for activity in the_plan["activities"]:
        duty_handlers.record_activity({**activity, "published": True}, STAFF, uow)
        added["activities"] += 1
    for opinion in the_plan["opinions"]:
        voters_handlers.submit_opinion({k: opinion[k] for k in ("station", "content", "name", "contact", "category")},
                                       uow, tracking_code=opinion["tracking_code"])
        for action, command in opinion["steps"]:
            voters_handlers.act(opinion["tracking_code"], action, command, STAFF, uow)
        added["opinions"] += 1
    with uow:
        uow.recall(*MARKER)
        uow.remember(*MARKER, added)
        uow.commit()
    return added


def _reception_command(reception):
    return {"date": reception["date"], "starts_at": reception["starts_at"], "ends_at": reception["ends_at"],
            "deputies": reception["deputies"], "note": ""}
