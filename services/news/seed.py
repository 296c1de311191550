"""Demo data of the portal: the ~20 columns of DOMAIN.md as a tree, the 10 towns with
liaison centres (names from the deputy demo roster), published articles in every top-level
column (made through the service's own use cases, with publication times in the past), a
few articles waiting in the workflow, and information pieces of this year with adoptions.
Deterministic; loaded once (a marker in idempotency_keys)."""
import datetime
import random

from kernel.config import service_dsn
from kernel.db import PostgresUnitOfWork, make_pool
from contracts import reference
from services.news import handlers, info
from services.news.repository import REPOSITORIES

MARKER = ("demo_seed", "portal-v1")
SEED = 12_2026
STAFF = {"username": "staff", "role": "staff", "subject": None}
EDITOR = {"username": "editor", "role": "editor", "subject": None}

# (slug, name, parent slug)
COLUMNS = [
    ("news", "新闻动态", None), ("headlines", "人大要闻", "news"), ("standing-committee", "常委会会议", "news"),
    ("council", "主任会议", "news"), ("about", "人大概况", None), ("announcements", "公告公示", None),
    ("laws", "法律法规", None), ("supervision", "依法监督", None), ("budget", "预算监督", "supervision"),
    ("deputies", "代表工作", None), ("deputy-profiles", "代表风采", "deputies"),
    ("suggestions", "建议办理", "deputies"), ("stations", "代表家站", "deputies"), ("towns", "各镇人大", None),
    ("research", "理论研究", None), ("photos", "图片新闻", None), ("videos", "视频新闻", None),
    ("notices", "通知公告", None), ("organ", "机关建设", None), ("topics", "专题专栏", None),
]
TOWNS = [(reference.TOWN_CODES[name], name, i) for i, name in enumerate(reference.TOWNS_WITH_CENTRE)]

TOPICS = {
    "headlines": ["县人大常委会召开党组会议传达学习全会精神", "县人大常委会主任会议研究部署年度重点工作",
                  "县人大常委会开展优化营商环境专题调研", "县人大常委会领导走访慰问基层人大代表"],
    "standing-committee": ["县十九届人大常委会第二十三次会议召开", "县十九届人大常委会第二十二次会议审议财政决算报告"],
    "council": ["县人大常委会第四十一次主任会议召开", "主任会议听取代表建议办理情况汇报"],
    "about": ["宁陕县人民代表大会常务委员会简介", "县人大常委会机构设置及工作职责"],
    "announcements": ["宁陕县人民代表大会常务委员会公告（第十二号）", "关于县人大常委会任免名单的公示"],
    "laws": ["中华人民共和国全国人民代表大会和地方各级人民代表大会代表法", "中华人民共和国各级人民代表大会常务委员会监督法"],
    "supervision": ["县人大常委会开展水污染防治法执法检查", "县人大常委会听取县政府教育工作情况报告"],
    "budget": ["县人大常委会审查批准2025年县级财政决算", "预算联网监督系统发现问题整改情况通报"],
    "deputies": ["县人大代表开展集中视察活动", "县人大常委会举办代表履职能力提升培训班"],
    "deputy-profiles": ["扎根山区的乡村医生代表", "带领群众发展林下经济的村支书代表"],
    "suggestions": ["县十九届人大五次会议代表建议办理情况的报告", "重点督办建议落实情况跟踪视察"],
    "stations": ["城关镇代表联络站开展主题接待日活动", "江口回族镇代表中心联络站收集群众意见"],
    "towns": ["四亩地镇人大召开第十九届人民代表大会第六次会议", "金川镇人大组织代表视察民生实事项目"],
    "research": ["关于新时代基层人大代表履职的调研与思考", "提升预算审查监督实效的几点建议"],
    "photos": ["图片新闻：代表视察秦岭生态保护工作", "图片新闻：人大代表之家接待选民"],
    "videos": ["视频：县人大常委会第二十三次会议", "视频：代表风采访谈"],
    "notices": ["关于召开县十九届人大常委会第二十四次会议的通知", "关于做好2026年度代表建议征集工作的通知"],
    "organ": ["县人大机关开展主题党日活动", "县人大机关召开党风廉政建设工作会议"],
    "topics": ["学习贯彻人民代表大会制度专题", "全过程人民民主基层实践专题"],
}
PARAGRAPHS = [
    "会议强调，要坚持党的领导、人民当家作主、依法治国有机统一，依法履行监督职责，推动各项决策部署落地见效。",
    "与会人员围绕预算执行、民生实事、生态保护等议题深入审议，提出了具体的意见建议。",
    "代表们深入田间地头、企业车间，听取群众意见，为推动全县高质量发展建言献策。",
    "下一步，县人大常委会将持续跟踪问效，确保审议意见和代表建议落到实处。",
    "会议要求，各相关部门要认真研究处理，按时报告整改落实情况。",
]
WAITING = [("news", "县人大常委会召开机关干部大会（待送审）", "draft"),
           ("supervision", "县人大常委会开展食品安全专项视察（待审核）", "submitted"),
           ("deputies", "代表小组活动月启动（待签发）", "approved")]


def load_demo(config):
    pool = make_pool(service_dsn(config, "news"), 2, "news-seed")
    pool.open(wait=True, timeout=10)
    try:
        def uow():
            return PostgresUnitOfWork(pool, "news", REPOSITORIES)

        with uow() as work:
            if work.recall(*MARKER) is not None:
                return "already loaded"
            by_slug = {}
            for position, (slug, name, parent) in enumerate(COLUMNS):
                row = work.columns.add(slug, name, by_slug.get(parent), position, "")
                by_slug[slug] = row["id"] if row else work.columns.get(slug=slug)["id"]
            work.submissions.add_towns(TOWNS)
            work.commit()
        rng = random.Random(SEED)
        now = datetime.datetime.now(datetime.timezone.utc)
        count = 0
        for slug, titles in TOPICS.items():
            for index, title in enumerate(titles):
                moment = now - datetime.timedelta(days=rng.randint(1, 60), hours=rng.randint(0, 23))
                body = "".join(f"<p>{p}</p>" for p in rng.sample(PARAGRAPHS, 3))
                command = {"column": slug, "title": title, "body": body, "summary": PARAGRAPHS[0][:60],
                           "source": "宁陕县人大常委会办公室",
                           "cover": "/portal/static/cover.svg" if slug == "photos" else None}
                article_id = handlers.create_article(command, EDITOR, uow(), at=moment - datetime.timedelta(hours=3))
                handlers.act(article_id, "submit", {}, EDITOR, uow(), now=moment - datetime.timedelta(hours=2))
                handlers.act(article_id, "approve", {}, STAFF, uow(), now=moment - datetime.timedelta(hours=1))
                handlers.act(article_id, "publish", {}, STAFF, uow(), now=moment)
                count += 1
        for slug, title, status in WAITING:
            body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:2])
            article_id = handlers.create_article({"column": slug, "title": title, "body": body}, EDITOR, uow())
            if status in ("submitted", "approved"):
                handlers.act(article_id, "submit", {}, EDITOR, uow())
            if status == "approved":
                handlers.act(article_id, "approve", {}, STAFF, uow())
        _pieces(uow, rng, now)
        with uow() as work:
            work.recall(*MARKER)
            work.remember(*MARKER, {"articles": count})
            work.commit()
        return f"{len(COLUMNS)} columns, {count} published articles, {len(TOWNS)} towns"
    finally:
        pool.close()


def _pieces(uow, rng, now):
    """Information pieces of this quarter: each town 3–8, some adopted at various levels."""
    levels = ["county", "county", "county", "city", "city", "province", "national"]
    quarter_start = datetime.datetime(now.year, 3 * ((now.month - 1) // 3) + 1, 1, tzinfo=now.tzinfo)
    span = max(1, int((now - quarter_start).total_seconds() // 3600) - 1)
    for code, name, _ in TOWNS:
        actor = {"username": f"town-{code}", "role": "town", "subject": code}
        for n in range(rng.randint(3, 8)):
            kind = "research" if rng.random() < 0.25 else "news"
            at = quarter_start + datetime.timedelta(hours=rng.randint(0, span))
            title = f"{name}{'调研：' if kind == 'research' else ''}{rng.choice(['人大代表', '代表联络站', '镇人大主席团'])}" \
                    f"{rng.choice(['开展视察活动', '接待选民', '督办民生实事', '调研产业发展'])}"
            piece = info.submit({"title": title, "body": title + "。" + PARAGRAPHS[n % len(PARAGRAPHS)], "kind": kind},
                                actor, uow(), at=at)
            if rng.random() < 0.6:
                level = rng.choice(levels)
                comment = rng.choice([None, None, None, "county", "city"])
                info.adopt(piece["id"], {"level": level, "channel": {"county": "宁陕人大网", "city": "安康人大网",
                                                                     "province": "陕西人大网",
                                                                     "national": "中国人大网"}[level],
                                         "adopted_on": (at + datetime.timedelta(days=1)).date(),
                                         "link": None, "leader_comment": comment}, STAFF, uow())
