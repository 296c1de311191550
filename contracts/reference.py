"""The county's reference data (宁陕县): what several services, their seeds and the gateway
all need to agree on — the towns, the departments (承办单位) suggestions are routed to and that
subscribe to them (contracts/departments_amqp.py), the suggestion categories.

The departments here are only the list a new platform starts with: the suggestion service
seeds them once (its migration 0002) and owns them at run time (``PUT /api/v1/departments/{code}``;
the others learn them from ``department_saved``). Towns and categories are shared as code (the
categories are part of the filing contract). Plain data, no I/O.
"""
from __future__ import annotations

COUNTY_SEAT = "城关镇"

TOWNS: list[str] = [
    "城关镇",
    "四亩地镇",
    "江口回族镇",
    "广货街镇",
    "龙王镇",
    "筒车湾镇",
    "金川镇",
    "皇冠镇",
    "太山庙镇",
    "梅子镇",
    "新场镇",
]

# The county reports only 10 town-level centres for 11 towns.  The most
# plausible reading is that 城关镇, the county seat, has no separate centre:
# the county deputies' home stands in 城关镇 and doubles as its centre.  So
# the county home carries town "城关镇", and 城关镇's village/community
# stations hang directly under ST-000.
TOWNS_WITH_CENTRE: list[str] = [t for t in TOWNS if t != COUNTY_SEAT]

# Portal town codes (each town's column on the portal and its reporter account ``town-<code>``).
TOWN_CODES = {"四亩地镇": "simudi", "江口回族镇": "jiangkou", "广货街镇": "guanghuojie", "龙王镇": "longwang",
              "筒车湾镇": "tongchewan", "金川镇": "jinchuan", "皇冠镇": "huangguan", "太山庙镇": "taishanmiao",
              "梅子镇": "meizi", "新场镇": "xinchang"}

DEPARTMENTS: list[dict] = [
    {"code": "edu", "name": "宁陕县教育体育和科技局", "short_name": "教育局",
     "keywords": ["学校", "教师", "教育", "幼儿园", "学生", "校车", "体育"]},
    {"code": "health", "name": "宁陕县卫生健康局", "short_name": "卫健局",
     "keywords": ["医院", "卫生院", "医生", "村医", "疫苗", "健康"]},
    {"code": "transport", "name": "宁陕县交通运输局", "short_name": "交通运输局",
     "keywords": ["道路", "公路", "桥梁", "客运", "班车", "通村路"]},
    {"code": "finance", "name": "宁陕县财政局", "short_name": "财政局",
     "keywords": ["财政", "预算", "补贴资金", "专项资金", "债务"]},
    {"code": "housing", "name": "宁陕县住房和城乡建设局", "short_name": "住建局",
     "keywords": ["住房", "危房", "小区", "物业", "燃气", "老旧小区改造"]},
    {"code": "agri", "name": "宁陕县农业农村局", "short_name": "农业农村局",
     "keywords": ["农业", "种植", "养殖", "农机", "耕地", "农村人居环境"]},
    {"code": "water", "name": "宁陕县水利局", "short_name": "水利局",
     "keywords": ["饮水", "水库", "河道", "防洪", "灌溉", "堤防"]},
    {"code": "civil", "name": "宁陕县民政局", "short_name": "民政局",
     "keywords": ["低保", "养老院", "社会救助", "殡葬", "留守儿童", "特困供养"]},
    {"code": "hrss", "name": "宁陕县人力资源和社会保障局", "short_name": "人社局",
     "keywords": ["就业", "社保", "工资拖欠", "技能培训", "劳务输出", "养老保险"]},
    {"code": "land", "name": "宁陕县自然资源局", "short_name": "自然资源局",
     "keywords": ["土地", "国土空间规划", "宅基地", "不动产", "地质灾害", "矿产"]},
    {"code": "culture", "name": "宁陕县文化和旅游广电局", "short_name": "文旅局",
     "keywords": ["旅游", "景区", "文化", "广播电视", "民宿", "文物"]},
    {"code": "emergency", "name": "宁陕县应急管理局", "short_name": "应急管理局",
     "keywords": ["安全生产", "应急", "消防", "救灾", "防汛", "危化品"]},
    {"code": "market", "name": "宁陕县市场监督管理局", "short_name": "市场监管局",
     "keywords": ["食品安全", "价格", "市场", "药品", "产品质量", "特种设备"]},
    {"code": "ecology", "name": "安康市生态环境局宁陕分局", "short_name": "生态环境分局",
     "keywords": ["环境污染", "排污", "噪声", "水质", "秦岭保护", "环保"]},
    {"code": "ndrc", "name": "宁陕县发展和改革局", "short_name": "发改局",
     "keywords": ["项目立项", "发展规划", "能源", "物价", "粮食储备", "重点项目"]},
    {"code": "police", "name": "宁陕县公安局", "short_name": "公安局",
     "keywords": ["治安", "户籍", "交通安全", "电信诈骗", "身份证", "派出所"]},
    {"code": "justice", "name": "宁陕县司法局", "short_name": "司法局",
     "keywords": ["法律援助", "人民调解", "普法", "社区矫正", "公证"]},
    {"code": "forestry", "name": "宁陕县林业局", "short_name": "林业局",
     "keywords": ["林地", "森林", "造林", "护林", "林下经济", "野生动物"]},
    {"code": "medins", "name": "宁陕县医疗保障局", "short_name": "医保局",
     "keywords": ["医保", "报销", "医疗保险", "慢性病", "异地就医"]},
    {"code": "veterans", "name": "宁陕县退役军人事务局", "short_name": "退役军人事务局",
     "keywords": ["退役军人", "优抚", "军属", "烈士", "双拥"]},
    {"code": "stats", "name": "宁陕县统计局", "short_name": "统计局",
     "keywords": ["统计", "普查", "统计数据"]},
    {"code": "audit", "name": "宁陕县审计局", "short_name": "审计局",
     "keywords": ["审计", "经济责任", "资金监管"]},
    {"code": "commerce", "name": "宁陕县经济贸易局", "short_name": "经贸局",
     "keywords": ["商贸", "电商", "招商", "物流", "工业企业", "农产品销售"]},
    {"code": "urban", "name": "宁陕县城市管理执法局", "short_name": "城管执法局",
     "keywords": ["城管", "占道经营", "路灯", "环卫", "市容", "停车"]},
    {"code": "rural", "name": "宁陕县乡村振兴局", "short_name": "乡村振兴局",
     "keywords": ["乡村振兴", "脱贫", "帮扶", "易地搬迁", "防返贫", "衔接资金"]},
    {"code": "power", "name": "国网陕西省电力有限公司宁陕县供电分公司", "short_name": "供电分公司",
     "keywords": ["电力", "停电", "电网", "电压", "用电", "电费"]},
    {"code": "telecom", "name": "中国电信宁陕分公司", "short_name": "电信公司",
     "keywords": ["宽带", "光纤", "固定电话", "网络"]},
    {"code": "mobile", "name": "中国移动宁陕分公司", "short_name": "移动公司",
     "keywords": ["手机信号", "基站", "5G", "移动通信"]},
    {"code": "weather", "name": "宁陕县气象局", "short_name": "气象局",
     "keywords": ["气象", "天气预报", "预警信息", "人工影响天气"]},
    {"code": "tax", "name": "国家税务总局宁陕县税务局", "short_name": "税务局",
     "keywords": ["税收", "纳税", "发票", "减税降费"]},
    {"code": "petition", "name": "宁陕县信访局", "short_name": "信访局",
     "keywords": ["信访", "上访", "来信来访"]},
]

SUGGESTION_CATEGORIES: list[str] = [
    "交通建设",
    "教育",
    "医疗卫生",
    "农业农村",
    "乡村振兴",
    "城乡建设",
    "社会保障",
    "生态环境",
    "文化旅游",
    "财政经济",
    "安全应急",
    "其他",
]
