"""Deterministic demo data for the 宁陕县人大 deputy platform.

Pure standard library, no I/O.  Every value comes either from the constant
tables below or from ``random.Random`` seeded with a fixed integer, so the
output is identical on every call and in every process (no ``hash()`` of
strings, no iteration over sets).

Public API: TERM, TOWN_TERM, SEED, generate_stations(), generate_deputies(),
STANDING_COMMITTEE_CODES. The county's reference data it builds on (towns,
departments, suggestion categories) is contracts/reference.py, which every service
may import; this package (demo/) is for seeds, tests and benchmarks.

Sizes follow the county's own figures: 693 county and town deputies; one
county deputies' home, 10 town liaison centres and 40 village/community
liaison stations (51 stations in all).
"""

from __future__ import annotations

import random

from contracts.reference import COUNTY_SEAT, TOWNS, TOWNS_WITH_CENTRE

# ---------------------------------------------------------------------------
# Constants
# ---------------------------------------------------------------------------

SEED = 19_693  # any fixed int; int seeds are reproducible across processes

TERM = 19  # 宁陕县第十九届人民代表大会
# County and town congresses have been elected together since the 2016
# reform, so the demo gives town deputies the same term number.
TOWN_TERM = 19

COUNTY_HOME_NAME = "宁陕县人大代表之家"

# 40 village/community liaison stations (invented but plausible names),
# spread roughly by town size; 城关镇 gets the most.
VILLAGES: dict[str, list[str]] = {
    "城关镇": ["东河社区", "朝阳社区", "渔湾社区", "寨沟村", "华严村", "小川村"],
    "四亩地镇": ["四亩地社区", "八亩村", "柳林村"],
    "江口回族镇": ["江口社区", "回龙村", "沙沟村", "高桥村"],
    "广货街镇": ["广货街社区", "沙坪村", "蒲河村", "月坪村"],
    "龙王镇": ["龙王社区", "汶水河村", "棋盘村"],
    "筒车湾镇": ["筒车湾社区", "海棠园村", "七里村", "许家城村"],
    "金川镇": ["金川社区", "老庄村", "红光村"],
    "皇冠镇": ["皇冠社区", "兴隆村", "长坪村", "黄金村"],
    "太山庙镇": ["太山庙社区", "龙泉村", "茅坪村"],
    "梅子镇": ["梅子社区", "安坪村", "油坊村"],
    "新场镇": ["新场社区", "旬河村", "双河村"],
}

# Deputies per town: (county deputies, town deputies).  150 + 543 = 693.
# 城关镇 is the largest: it also hosts the county organs whose cadres are
# elected there.  江口回族镇 / 筒车湾镇 / 新场镇 are the bigger rural towns.
DEPUTY_QUOTAS: dict[str, tuple[int, int]] = {
    "城关镇": (36, 68),
    "四亩地镇": (10, 44),
    "江口回族镇": (12, 50),
    "广货街镇": (11, 48),
    "龙王镇": (11, 46),
    "筒车湾镇": (12, 52),
    "金川镇": (11, 45),
    "皇冠镇": (12, 50),
    "太山庙镇": (10, 44),
    "梅子镇": (12, 46),
    "新场镇": (13, 50),
}

FEMALE_COUNT = 225  # ~32.5 % of 693; a fixed quota keeps the ratio exact
EMAIL_SHARE = 0.40
INACTIVE_COUNT = 5
STANDING_COMMITTEE_SIZE = 25

# Station reception schedules, cycled by index.
COUNTY_RECEPTION_DAY = "每月第一个星期三"
TOWN_RECEPTION_DAYS = [f"每月{d}日" for d in (5, 8, 10, 12, 15, 18, 20, 22, 25, 28)]
_ORDINALS = ["一", "二", "三", "四"]
_WEEKDAYS = ["一", "二", "三", "四", "五"]

# Surnames with approximate national frequency (per mille), so 王/李/张
# dominate as in any real roster.
SURNAMES: list[tuple[str, int]] = [
    ("王", 71), ("李", 70), ("张", 67), ("刘", 54), ("陈", 45), ("杨", 31),
    ("赵", 23), ("黄", 22), ("周", 17), ("吴", 16), ("徐", 13), ("孙", 13),
    ("胡", 12), ("朱", 11), ("高", 11), ("林", 10), ("何", 10), ("郭", 10),
    ("马", 9), ("罗", 8), ("梁", 8), ("宋", 7), ("郑", 7), ("谢", 6),
    ("韩", 6), ("唐", 6), ("冯", 6), ("于", 5), ("董", 5), ("肖", 5),
    ("程", 5), ("曹", 5), ("袁", 5), ("邓", 5), ("许", 4), ("傅", 4),
    ("沈", 4), ("曾", 4), ("彭", 4), ("吕", 4), ("苏", 4), ("卢", 4),
    ("蒋", 4), ("蔡", 4), ("贾", 3), ("丁", 3), ("魏", 3), ("薛", 3),
    ("叶", 3), ("阎", 3), ("余", 3), ("潘", 3), ("杜", 3), ("戴", 3),
    ("夏", 3), ("钟", 3), ("汪", 3), ("田", 3), ("任", 3), ("姜", 3),
    ("范", 3), ("方", 3), ("石", 3), ("姚", 3), ("谭", 3), ("廖", 3),
    ("邹", 3), ("熊", 3), ("金", 3), ("陆", 2), ("郝", 2), ("孔", 2),
    ("白", 2), ("崔", 2), ("康", 2), ("毛", 2), ("邱", 2), ("秦", 2),
    ("江", 2), ("史", 2), ("顾", 2), ("侯", 2), ("邵", 2), ("孟", 2),
    ("龙", 2), ("万", 2), ("段", 2), ("雷", 2), ("柯", 2), ("汤", 2),
]
# Hui deputies draw from the surnames typical of Hui communities.
HUI_SURNAMES: list[tuple[str, int]] = [
    ("马", 40), ("白", 12), ("丁", 10), ("穆", 8), ("杨", 8), ("李", 8),
    ("哈", 4), ("金", 5), ("海", 5),
]

# Given names: a first character (often a generation or virtue word) plus a
# second one, drawn from separate pools so results read like real names
# (建华, 志强, 秀兰, 晓燕) rather than arbitrary pairs.  Single-character
# given names use the second pool.
MALE_FIRST = list("建国志文明德永海春小晓学俊宏立家振新长金玉世兴忠红卫东光天云")
MALE_SECOND = list("华强军平伟林波峰杰刚勇斌辉明成涛东鹏飞亮磊超龙武兵生山清荣祥贵福全安")
FEMALE_FIRST = list("秀玉丽晓小春美桂金红海雪静慧淑翠凤素彩亚佳雅文")
FEMALE_SECOND = list("兰英芳华霞燕艳红玲梅琴萍娟丽敏静娜婷丹倩洁琳莉颖月凤芬蓉菊莲珍")
SINGLE_CHAR_GIVEN_SHARE = 0.15  # single-char given names are a minority

# (ethnicity, weight) outside / inside 江口回族镇 (a Hui ethnic town).
ETHNICITY_DEFAULT: list[tuple[str, int]] = [
    ("汉族", 965), ("回族", 25), ("满族", 5), ("土家族", 3), ("蒙古族", 2),
]
ETHNICITY_HUI_TOWN: list[tuple[str, int]] = [("汉族", 72), ("回族", 27), ("满族", 1)]
HUI_TOWN = "江口回族镇"

# Occupation mixes differ by level: county deputies include more cadres,
# managers and professionals; town deputies more farmers and village heads.
# "village_head" is resolved to a village or community title by station.
OCCUPATIONS: dict[str, list[tuple[str, int]]] = {
    "county": [
        ("机关干部", 30), ("village_head", 22),
        ("企业负责人", 14), ("教师", 9), ("医生", 7), ("农民", 8),
        ("个体工商户", 5), ("专业合作社负责人", 5), ("镇干部", 10),
        ("律师", 1), ("护士", 2), ("民营企业职工", 3),
    ],
    "town": [
        ("农民", 34), ("village_head", 24), ("个体工商户", 9),
        ("教师", 6), ("医生", 3), ("村医", 3), ("镇干部", 5),
        ("专业合作社负责人", 5), ("企业负责人", 4), ("民营企业职工", 3),
        ("护林员", 2), ("民宿经营者", 2),
    ],
}
VILLAGE_HEAD_TITLES = {"村": ["村党支部书记", "村委会主任"], "社区": ["社区党支部书记", "社区主任"]}

PHONE_PREFIXES = (
    [f"13{d}" for d in range(10)]
    + ["150", "151", "152", "153", "155", "156", "157", "158", "159"]
    + [f"18{d}" for d in range(10)]
    + ["191", "198", "199"]
)

# ---------------------------------------------------------------------------
# Stations
# ---------------------------------------------------------------------------

COUNTY_HOME_CODE = "ST-000"


def _town_centre_code(town: str) -> str | None:
    if town not in TOWNS_WITH_CENTRE:
        return None
    return f"ST-T{TOWNS_WITH_CENTRE.index(town) + 1:02d}"


def _village_reception_day(i: int) -> str:
    # Varies ordinal and weekday independently so neighbours rarely clash.
    return f"每月第{_ORDINALS[i % 4]}个星期{_WEEKDAYS[(i // 4) % 5]}"


def generate_stations() -> list[dict]:
    """Return the 51 liaison stations: 1 county home, 10 town centres, 40 villages."""
    stations = [{
        "code": COUNTY_HOME_CODE,
        "name": COUNTY_HOME_NAME,
        "level": "county",
        "town": COUNTY_SEAT,  # located in, and doubling as the centre of, 城关镇
        "parent_code": None,
        "address": "宁陕县城关镇县人大常委会机关一楼",
        "reception_day": COUNTY_RECEPTION_DAY,
    }]
    for i, town in enumerate(TOWNS_WITH_CENTRE):
        stations.append({
            "code": _town_centre_code(town),
            "name": f"{town}人大代表中心联络站",
            "level": "town",
            "town": town,
            "parent_code": COUNTY_HOME_CODE,
            "address": f"宁陕县{town}人民政府便民服务中心二楼",
            "reception_day": TOWN_RECEPTION_DAYS[i % len(TOWN_RECEPTION_DAYS)],
        })
    i = 0
    for town in TOWNS:
        for village in VILLAGES[town]:
            i += 1
            stations.append({
                "code": f"ST-V{i:02d}",
                "name": f"{town}{village}代表联络站",
                "level": "village",
                "town": town,
                "parent_code": _town_centre_code(town) or COUNTY_HOME_CODE,
                "address": f"宁陕县{town}{village}党群服务中心",
                "reception_day": _village_reception_day(i - 1),
            })
    return stations


# ---------------------------------------------------------------------------
# Deputies
# ---------------------------------------------------------------------------


def _weighted(rng: random.Random, table: list[tuple[str, int]]) -> str:
    values = [v for v, _ in table]
    weights = [w for _, w in table]
    return rng.choices(values, weights=weights, k=1)[0]


def _make_name(rng: random.Random, gender: str, ethnicity: str) -> str:
    surname = _weighted(rng, HUI_SURNAMES if ethnicity == "回族" else SURNAMES)
    if gender == "female":
        first, second = FEMALE_FIRST, FEMALE_SECOND
    else:
        first, second = MALE_FIRST, MALE_SECOND
    if rng.random() < SINGLE_CHAR_GIVEN_SHARE:
        return surname + rng.choice(second)
    return surname + rng.choice(first) + rng.choice(second)


def _make_phone(rng: random.Random, used: set[str]) -> str:
    while True:
        phone = rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        if phone not in used:
            used.add(phone)
            return phone


def _birth_year(rng: random.Random, level: str) -> int:
    # County deputies skew a little older (more cadres and managers).
    mode = 1972 if level == "county" else 1976
    year = round(rng.triangular(1958, 2000, mode))
    return min(2000, max(1958, year))


def _pick_station(rng: random.Random, level: str, town: str,
                  villages_by_town: dict[str, list[str]]) -> str:
    """Return a station code in the deputy's town (or the county home)."""
    centre_code = _town_centre_code(town) or COUNTY_HOME_CODE
    roll = rng.random()
    if level == "county":
        # County deputies: mostly their town centre, some the county home,
        # the rest the village station where they live.
        if roll < 0.45:
            return centre_code
        if roll < 0.60:
            return COUNTY_HOME_CODE
    elif roll < 0.12:
        return centre_code
    return rng.choice(villages_by_town[town])


def _occupation(rng: random.Random, level: str, station_name: str) -> str:
    occ = _weighted(rng, OCCUPATIONS[level])
    if occ == "village_head":
        kind = "社区" if "社区" in station_name else "村"
        occ = rng.choice(VILLAGE_HEAD_TITLES[kind])
    return occ


def _ethnicity(rng: random.Random, town: str) -> str:
    return _weighted(rng, ETHNICITY_HUI_TOWN if town == HUI_TOWN else ETHNICITY_DEFAULT)


def _build_deputies() -> tuple[list[dict], list[str]]:
    rng = random.Random(SEED)
    stations = generate_stations()
    by_code = {s["code"]: s for s in stations}
    villages_by_town: dict[str, list[str]] = {t: [] for t in TOWNS}
    for s in stations:
        if s["level"] == "village":
            villages_by_town[s["town"]].append(s["code"])

    # County deputies first, then town deputies; within a level, by town.
    slots = [(level, town)
             for level, col in (("county", 0), ("town", 1))
             for town in TOWNS
             for _ in range(DEPUTY_QUOTAS[town][col])]
    female = set(rng.sample(range(len(slots)), FEMALE_COUNT))
    inactive = set(rng.sample(range(len(slots)), INACTIVE_COUNT))

    # Membership-only sets; their iteration order is never used.
    phones: set[str] = set()
    names: set[str] = set()
    deputies = []
    for i, (level, town) in enumerate(slots):
        code = f"D{i + 1:04d}"
        gender = "female" if i in female else "male"
        ethnicity = _ethnicity(rng, town)
        station = by_code[_pick_station(rng, level, town, villages_by_town)]
        name = _make_name(rng, gender, ethnicity)
        if name in names:  # one redraw keeps namesakes possible but rare
            name = _make_name(rng, gender, ethnicity)
        names.add(name)
        deputies.append({
            "code": code,
            "name": name,
            "gender": gender,
            "ethnicity": ethnicity,
            "birth_year": _birth_year(rng, level),
            "level": level,
            "town": town,
            "station_code": station["code"],
            "term": TERM if level == "county" else TOWN_TERM,
            "occupation": _occupation(rng, level, station["name"]),
            "phone": _make_phone(rng, phones),
            "email": f"{code.lower()}@example.org" if rng.random() < EMAIL_SHARE else None,
            "status": "inactive" if i in inactive else "active",
        })

    eligible = [d["code"] for d in deputies
                if d["level"] == "county" and d["status"] == "active"]
    committee = sorted(rng.sample(eligible, STANDING_COMMITTEE_SIZE))
    return deputies, committee


# Built once at import (a few milliseconds) so STANDING_COMMITTEE_CODES is a
# plain constant consistent with generate_deputies().
_DEPUTIES, STANDING_COMMITTEE_CODES = _build_deputies()


def generate_deputies() -> list[dict]:
    """Return the 693 deputies (fresh dicts each call; callers may mutate them)."""
    return [dict(d) for d in _DEPUTIES]
