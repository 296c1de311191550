"""Demo meetings, run through the service's own use cases (so the audit and the recount
tool work on them): the standing committee (25 members), a past meeting with 12
resolutions and an appointment list (per person and merged) voted and closed, and a
meeting ready to run live (members, items not yet open). Idempotent: meetings are found
by title."""
import random
from datetime import datetime, timedelta, timezone

from kernel.config import service_dsn
from kernel.db import PostgresUnitOfWork, make_pool
from demo import county as demo
from services.voting import handlers
from services.voting.repository import REPOSITORIES

PAST_TITLE = "宁陕县第十九届人大常委会第二十三次会议"
LIVE_TITLE = "宁陕县第十九届人大常委会第二十四次会议"
STAFF = {"username": "staff", "role": "staff", "subject": None}
OBSERVERS = ["县人民政府县长", "县人民法院院长", "县人民检察院检察长", "县监察委员会主任"]

RESOLUTIONS = [
    "关于批准2025年县级财政决算的决议",
    "关于2026年上半年国民经济和社会发展计划执行情况报告的决议",
    "关于县人民政府关于优化营商环境工作情况报告的审议意见",
    "关于批准县人民政府2026年预算调整方案的决议",
    "关于开展《中华人民共和国水污染防治法》执法检查的决定",
    "关于县人民法院关于行政审判工作情况报告的审议意见",
    "关于县人民检察院关于公益诉讼检察工作情况报告的审议意见",
    "关于宁陕县乡村振兴促进工作情况的决议",
    "关于加强县级国有资产管理情况监督的决定",
    "关于召开宁陕县第十九届人民代表大会第六次会议的决定",
    "关于县人民政府关于教育工作情况报告的审议意见",
    "关于秦岭生态环境保护工作情况的决议",
]
CANDIDATES = [{"name": "张建国", "post": "县发展和改革局局长"}, {"name": "李秀英", "post": "县教育局局长"},
              {"name": "王志强", "post": "县交通运输局局长"}]
MERGED = [{"name": "赵丽华", "post": "县人民法院审判员"}, {"name": "陈明", "post": "县人民法院审判员"},
          {"name": "刘洋", "post": "县人民检察院检察员"}]


def _directory_rows():
    """The standing committee's directory entries from the demo roster (same version the
    deputy events carry, so those events change nothing when they arrive later)."""
    wanted = set(demo.STANDING_COMMITTEE_CODES)
    return [d for d in demo.generate_deputies() if d["code"] in wanted]


def _deputy(code):
    return {"username": code, "role": "deputy", "subject": code}


def _past_meeting(uow, members):
    rng = random.Random(19023)
    starts = datetime(2026, 10, 28, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    meeting_id = handlers.create_meeting({"title": PAST_TITLE, "kind": "standing_committee", "starts_at": starts,
                                          "members": members, "observers": OBSERVERS, "chair": members[0]},
                                         STAFF, uow)
    absent = set(members[-3:])      # 22 of 25 attend
    for code in members:
        if code not in absent:
            handlers.set_presence(meeting_id, None, True, _deputy(code), uow)
    items = [handlers.add_item(meeting_id, {"kind": "resolution", "title": t, "mode": "secret"}, uow)
             for t in RESOLUTIONS]
    items.append(handlers.add_item(meeting_id, {"kind": "appointment", "title": "人事任免事项（逐人表决）",
                                                "mode": "secret", "candidates": CANDIDATES}, uow))
    items.append(handlers.add_item(meeting_id, {"kind": "appointment", "title": "人事任免事项（合并表决）",
                                                "mode": "secret", "candidates": MERGED, "merged": True}, uow))
    voters = [c for c in members if c not in absent]
    for index, item in enumerate(items):
        handlers.open_item(meeting_id, item["id"], uow)
        # Mostly yes; item 5 narrowly fails (12 yes of 22 present — the statutory rule).
        yes_share = 12 / 22 if index == 4 else 0.9
        for code in voters:
            if rng.random() < 0.05:
                continue                                     # 未按
            if item["candidates"] and not item["merged"]:
                command = {"choices": {c["name"]: ("yes" if rng.random() < 0.88 else rng.choice(["no", "abstain"]))
                                       for c in item["candidates"]}}
            elif index == 4:
                command = {"choice": "yes" if voters.index(code) < 12 else rng.choice(["no", "abstain"])}
            else:
                command = {"choice": "yes" if rng.random() < yes_share else rng.choice(["no", "abstain"])}
            handlers.cast_ballot(meeting_id, item["id"], _deputy(code), command, uow)
        handlers.close_item(meeting_id, item["id"], uow)
    return meeting_id


def _live_meeting(uow, members):
    starts = datetime.now(timezone(timedelta(hours=8))).replace(hour=9, minute=0, second=0, microsecond=0)
    meeting_id = handlers.create_meeting({"title": LIVE_TITLE, "kind": "standing_committee",
                                          "starts_at": starts + timedelta(days=1), "members": members,
                                          "observers": OBSERVERS, "chair": members[0]}, STAFF, uow)
    motion = handlers.add_item(meeting_id, {"kind": "resolution", "title": "关于宁陕县城乡规划条例实施情况的决议"}, uow)
    handlers.add_item(meeting_id, {"kind": "amendment", "title": "对城乡规划决议第三条的修正案", "amends": motion["id"]}, uow)
    handlers.add_item(meeting_id, {"kind": "resolution", "title": "关于批准县级预算调整方案的决议", "mode": "named"}, uow)
    handlers.add_item(meeting_id, {"kind": "appointment", "title": "人事任免事项", "candidates": CANDIDATES}, uow)
    handlers.add_item(meeting_id, {"kind": "removal", "title": "撤销某某县人民政府副县长职务", "mode": "paper"}, uow)
    return meeting_id


def load_demo(config):
    pool = make_pool(service_dsn(config, "voting"), 2, "voting-seed")
    pool.open(wait=True, timeout=10)
    try:
        uow = PostgresUnitOfWork(pool, "voting", REPOSITORIES, correlation_id="demo-seed")
        with uow:
            for row in _directory_rows():
                uow.deputy_directory.upsert({"status": "active", **row, "version": 1})
            uow.commit()
        members = list(demo.STANDING_COMMITTEE_CODES)
        done = []
        with uow:
            past = uow.meetings.find_by_title(PAST_TITLE)
            live = uow.meetings.find_by_title(LIVE_TITLE)
        if past is None:
            _past_meeting(uow, members)
            done.append("past meeting voted")
        if live is None:
            _live_meeting(uow, members)
            done.append("live meeting ready")
    finally:
        pool.close()
    return ", ".join(done) or "meetings already there"
