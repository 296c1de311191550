"""Deterministic demo data of the budget service: 81 budget units under 20 主管部门, the
classification tables, the budget lines of the demo year, the plan from which the seed
generates ~50,000 payments in SQL, and the planted problems (one unit per rule) that make a
fresh platform show alerts of every rule. Plain data, no I/O (the gateway's seed reads the
units for the ``unit-<code>`` sign-ins)."""
import datetime
import random
from decimal import Decimal

DEMO_YEAR = 2026
SEED = 20_261_202

TOWNS = ["城关镇", "四亩地镇", "江口回族镇", "广货街镇", "龙王镇", "筒车湾镇", "金川镇", "皇冠镇", "太山庙镇",
         "梅子镇", "新场镇"]

# (code, name, main functional code 项, units: [(name, kind, functional code)])
DEPARTMENTS = [
    ("101", "县人大常委会办公室", [("县人大常委会办公室", "administrative", "2010101")]),
    ("102", "县人民政府办公室", [("县人民政府办公室", "administrative", "2010301"),
                                  ("县政务服务中心", "institution", "2010301")]),
    ("103", "县财政局", [("县财政局", "administrative", "2010601"), ("县国库支付中心", "institution", "2010601")]),
    ("104", "县发展和改革局", [("县发展和改革局", "administrative", "2010101"),
                                 ("县粮食储备中心", "institution", "2010101")]),
    ("105", "县教育局", [("县教育局", "administrative", "2050101"), ("县城关幼儿园", "institution", "2050201"),
                          ("县第二幼儿园", "institution", "2050201")]
     + [(f"{town}中心小学", "institution", "2050202") for town in TOWNS]
     + [("县城关初级中学", "institution", "2050203"), ("县江口初级中学", "institution", "2050203"),
        ("县四亩地初级中学", "institution", "2050203"),
        ("县职业教育中心", "institution", "2050203")]),
    ("106", "县卫生健康局", [("县卫生健康局", "administrative", "2100101"), ("县医院", "institution", "2100302"),
                               ("县中医医院", "institution", "2100302"), ("县疾病预防控制中心", "institution", "2100101")]
     + [(f"{town}卫生院", "institution", "2100302") for town in TOWNS[1:7]]),
    ("107", "县农业农村局", [("县农业农村局", "administrative", "2130101"),
                               ("县农业技术推广中心", "institution", "2130505"),
                               ("县畜牧兽医中心", "institution", "2130101"),
                               ("县乡村振兴服务中心", "institution", "2130505")]),
    ("108", "县水利局", [("县水利局", "administrative", "2130301"), ("县水利工程建设中心", "institution", "2130301"),
                          ("县水土保持站", "institution", "2130301")]),
    ("109", "县交通运输局", [("县交通运输局", "administrative", "2140101"), ("县公路管理段", "institution", "2140106"),
                               ("县农村公路服务中心", "institution", "2140106")]),
    ("110", "县住房和城乡建设局", [("县住房和城乡建设局", "administrative", "2120101"),
                                     ("县市政设施维护中心", "institution", "2120399"),
                                     ("县城市管理综合执法大队", "institution", "2120101")]),
    ("111", "县自然资源局", [("县自然资源局", "administrative", "2010101"),
                               ("县不动产登记中心", "institution", "2010101")]),
    ("112", "县生态环境分局", [("县生态环境分局", "administrative", "2110101"),
                                 ("县环境监测站", "institution", "2110101")]),
    ("113", "县文化和旅游广电局", [("县文化和旅游广电局", "administrative", "2070101"),
                                     ("县文化馆", "institution", "2070101"), ("县图书馆", "institution", "2070101")]),
    ("114", "县人力资源和社会保障局", [("县人力资源和社会保障局", "administrative", "2080101"),
                                         ("县社会保险经办中心", "institution", "2080505"),
                                         ("县就业服务中心", "institution", "2080101")]),
    ("115", "县民政局", [("县民政局", "administrative", "2080101"), ("县社会福利院", "institution", "2080101"),
                          ("县殡葬服务所", "institution", "2080101")]),
    ("116", "县公安局", [("县公安局", "administrative", "2040201"), ("县公安局交通警察大队", "administrative", "2040201")]),
    ("117", "县应急管理局", [("县应急管理局", "administrative", "2240101"), ("县应急救援中心", "institution", "2240101")]),
    ("118", "县市场监督管理局", [("县市场监督管理局", "administrative", "2010101"),
                                   ("县检验检测中心", "institution", "2010101")]),
    ("119", "县林业局", [("县林业局", "administrative", "2130101"), ("县国有林场", "institution", "2130101"),
                          ("县森林防火中心", "institution", "2130101")]),
    ("120", "各镇人民政府", [(f"{town}人民政府", "town", "2010301") for town in TOWNS]),
]

FUNC_CLASSES = [
    ("201", "一般公共服务支出"), ("20101", "人大事务"), ("2010101", "行政运行"),
    ("20103", "政府办公厅(室)及相关机构事务"), ("2010301", "行政运行"),
    ("20106", "财政事务"), ("2010601", "行政运行"),
    ("204", "公共安全支出"), ("20402", "公安"), ("2040201", "行政运行"),
    ("205", "教育支出"), ("20501", "教育管理事务"), ("2050101", "行政运行"),
    ("20502", "普通教育"), ("2050201", "学前教育"), ("2050202", "小学教育"), ("2050203", "初中教育"),
    ("207", "文化旅游体育与传媒支出"), ("20701", "文化和旅游"), ("2070101", "行政运行"),
    ("208", "社会保障和就业支出"), ("20801", "人力资源和社会保障管理事务"), ("2080101", "行政运行"),
    ("20805", "行政事业单位养老支出"), ("2080505", "机关事业单位基本养老保险缴费支出"),
    ("210", "卫生健康支出"), ("21001", "卫生健康管理事务"), ("2100101", "行政运行"),
    ("21003", "基层医疗卫生机构"), ("2100302", "乡镇卫生院"),
    ("211", "节能环保支出"), ("21101", "环境保护管理事务"), ("2110101", "行政运行"),
    ("212", "城乡社区支出"), ("21201", "城乡社区管理事务"), ("2120101", "行政运行"),
    ("21203", "城乡社区公共设施"), ("2120399", "其他城乡社区公共设施支出"),
    ("213", "农林水支出"), ("21301", "农业农村"), ("2130101", "行政运行"),
    ("21303", "水利"), ("2130301", "行政运行"),
    ("21305", "巩固脱贫攻坚成果衔接乡村振兴"), ("2130505", "生产发展"),
    ("214", "交通运输支出"), ("21401", "公路水路运输"), ("2140101", "行政运行"), ("2140106", "公路养护"),
    ("224", "灾害防治及应急管理支出"), ("22401", "应急管理事务"), ("2240101", "行政运行"),
]

ECON_CLASSES = [
    ("301", "工资福利支出"), ("30101", "基本工资"), ("30102", "津贴补贴"),
    ("30108", "机关事业单位基本养老保险缴费"),
    ("302", "商品和服务支出"), ("30201", "办公费"), ("30211", "差旅费"), ("30212", "因公出国（境）费用"),
    ("30213", "维修（护）费"), ("30217", "公务接待费"), ("30226", "劳务费"), ("30227", "委托业务费"),
    ("30231", "公务用车运行维护费"), ("30299", "其他商品和服务支出"),
    ("303", "对个人和家庭的补助"), ("30305", "生活补助"), ("30309", "奖励金"),
    ("310", "资本性支出"), ("31002", "办公设备购置"), ("31005", "基础设施建设"), ("31013", "公务用车购置"),
]

BUDGET_KINDS = [("general", "一般公共预算"), ("fund", "政府性基金预算"), ("state_capital", "国有资本经营预算"),
                ("social_insurance", "社会保险基金预算")]

# The planted problems: unit code -> the rule it breaks (its other lines are clean).
PLANTED = {
    "107002": "pace_lag",
    "109002": "over_line",
    "110002": "no_line",
    "108002": "large_payment",
    "113002": "personal_payee",
    "102002": "sangong_over",      # its 公务接待 line is over too: over_line on that line as well
    "115003": "year_end_rush",
    "119002": "idle_project",
}


def generate_units():
    units = []
    for dept_code, _, members in DEPARTMENTS:
        for index, (name, kind, func) in enumerate(members, start=1):
            units.append({"code": f"{dept_code}{index:03d}", "name": name, "department_code": dept_code,
                          "kind": kind, "func_code": func})
    return units


def as_of(today=None):
    """The demo's last payment date: today, kept within December of the demo year (the
    planted year-end rush needs December; a later run shows the same year)."""
    today = today or datetime.date.today()
    return min(max(today, datetime.date(DEMO_YEAR, 12, 2)), datetime.date(DEMO_YEAR, 12, 31))


def _even(n):
    return n + (n % 2)


def generate_lines():
    """Budget lines of the demo year, each with its payment plan:
    ``{line_ref, unit_code, budget_kind, func_code, econ_code, project_code, project_name, amount,
    issued_on, adjustment (Decimal or None), plan: {count, factor, start, person_share, ref_share}}``.
    ``factor`` is the share of the line (with its adjustment) paid by the demo's as-of date."""
    rng = random.Random(SEED)
    lines, number = [], 0

    def line(unit, econ, amount, factor, count=None, project=None, issued=None, kind="general", func=None,
             person_share=0.0, start=None):
        nonlocal number
        number += 1
        amount = Decimal(int(amount) // 100 * 100)
        adjustment = None
        if number % 9 == 0 and project is None:
            adjustment = (amount / 10).quantize(Decimal(1))
        budget = amount + (adjustment or 0)
        count = count or max(8, min(360, _even(int(budget / 9000))))
        lines.append({
            "line_ref": f"宁财预〔{DEMO_YEAR}〕{number:04d}号", "unit_code": unit["code"], "budget_kind": kind,
            "func_code": func or unit["func_code"], "econ_code": econ,
            "project_code": project[0] if project else None, "project_name": project[1] if project else None,
            "amount": amount, "issued_on": issued or datetime.date(DEMO_YEAR, 1, 10), "adjustment": adjustment,
            "plan": {"count": _even(count), "factor": factor, "start": start or issued or datetime.date(DEMO_YEAR, 1, 5),
                     "person_share": person_share}})
        return lines[-1]

    for unit in generate_units():
        planted = PLANTED.get(unit["code"])
        size = {"administrative": 1.0, "institution": 1.4, "town": 1.2}[unit["kind"]] * rng.uniform(0.7, 1.4)

        def factor():
            if planted == "pace_lag":
                return rng.uniform(0.50, 0.58)
            if planted == "year_end_rush":
                return 0.42
            return rng.uniform(0.87, 0.95)

        line(unit, "30101", 1_800_000 * size, factor(), person_share=1.0)
        line(unit, "30102", 700_000 * size, factor(), person_share=1.0)
        line(unit, "30108", 260_000 * size, factor())
        line(unit, "30201", 120_000 * size, factor())
        line(unit, "30211", 60_000 * size, factor())
        maintenance = line(unit, "30213", 80_000 * size, factor())
        if planted == "over_line":
            maintenance["plan"]["factor"] = 1.25
        hospitality = line(unit, "30217", 30_000 * size, factor(), count=12)
        if planted == "sangong_over":
            hospitality["plan"]["factor"] = 1.5
        line(unit, "30231", 50_000 * size, factor(), count=12)
        line(unit, "30226", 40_000 * size, factor(), count=40, person_share=1.0)
        if unit["kind"] != "administrative" or unit["code"].endswith("001"):
            project_code = f"P{DEMO_YEAR}{unit['code']}01"
            issued = datetime.date(DEMO_YEAR, 2 + rng.randrange(2), 1 + rng.randrange(25))
            econ = "31005" if unit["department_code"] in ("108", "109", "110") else "30227"
            project_line = line(unit, econ, rng.uniform(800_000, 2_400_000), factor(),
                                project=(project_code, f"{unit['name']}{DEMO_YEAR}年度重点项目"), issued=issued)
            if planted == "idle_project":
                project_line["plan"]["idle"] = True
            if planted == "large_payment":
                project_line["amount"] = Decimal(3_000_000)
                project_line["plan"]["factor"] = 0.55
        if unit["department_code"] == "110" and unit["code"].endswith("002"):
            line(unit, "31005", 900_000, factor(), kind="fund",
                 project=(f"P{DEMO_YEAR}{unit['code']}02", "城区老旧小区改造（土地出让收入安排）"),
                 issued=datetime.date(DEMO_YEAR, 3, 1))
    return lines


def extra_payments():
    """The single payments the planted problems need beyond the lines' plans:
    ``(voucher_no, pay_date, unit_code, func_code, econ_code, project_code, line_ref, payee_name,
    payee_account, payee_type, amount, memo)``."""
    lines = generate_lines()
    units = {u["code"]: u for u in generate_units()}

    def first(unit, econ):
        return next(l for l in lines if l["unit_code"] == unit and l["econ_code"] == econ)

    rows = []
    big = next(l for l in lines if l["unit_code"] == "108002" and l["project_code"])
    rows.append(("ZF2026X0000001", datetime.date(DEMO_YEAR, 9, 18), "108002", big["func_code"], big["econ_code"],
                 big["project_code"], big["line_ref"], "陕西秦岭水利建设工程有限公司", "61050000000000001234", "unit",
                 Decimal("860000.00"), "水毁工程修复进度款"))
    labour = first("113002", "30226")
    rows.append(("ZF2026X0000002", datetime.date(DEMO_YEAR, 10, 11), "113002", labour["func_code"], "30226", None,
                 labour["line_ref"], "王建军", "6228480000000000001", "person", Decimal("68000.00"),
                 "文艺演出劳务费"))
    for index, day in enumerate((4, 16, 27), start=3):
        rows.append((f"ZF2026X000000{index}", datetime.date(DEMO_YEAR, 8, day), "110002",
                     units["110002"]["func_code"], "30299", None, None, "宁陕县诚信物业服务有限公司",
                     "61050000000000005678", "unit", Decimal("23500.00"), "绿化养护服务费"))
    return rows
