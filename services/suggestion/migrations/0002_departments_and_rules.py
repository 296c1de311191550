"""Departments (~30 county bodies) and the initial routing rules, from
contracts/reference.DEPARTMENTS: one keyword rule per department (weight 1 per keyword hit)
and category rules (weight 2) naming the usual lead department. Staff edit rules via the API."""
from yoyo import step

__depends__ = {"0001_suggestions"}

# category -> [(department, role, weight)]
CATEGORY_RULES = {
    "交通建设": [("transport", "lead", 2), ("finance", "co", 0.5)],
    "教育": [("edu", "lead", 2)],
    "医疗卫生": [("health", "lead", 2), ("medins", "co", 0.5)],
    "农业农村": [("agri", "lead", 2)],
    "乡村振兴": [("rural", "lead", 2), ("agri", "co", 0.5)],
    "城乡建设": [("housing", "lead", 2), ("urban", "co", 0.5)],
    "社会保障": [("hrss", "lead", 2), ("civil", "co", 1)],
    "生态环境": [("ecology", "lead", 2), ("forestry", "co", 0.5)],
    "文化旅游": [("culture", "lead", 2)],
    "财政经济": [("finance", "lead", 2), ("ndrc", "co", 0.5)],
    "安全应急": [("emergency", "lead", 2)],
}


def apply(conn):
    from contracts.reference import DEPARTMENTS
    cursor = conn.cursor()
    for d in DEPARTMENTS:
        cursor.execute(
            "INSERT INTO departments (code, name, short_name, keywords) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (code) DO NOTHING", (d["code"], d["name"], d.get("short_name", ""), list(d["keywords"])))
        cursor.execute(
            "INSERT INTO routing_rules (category, keywords, department, role, weight) VALUES (NULL, %s, %s, 'lead', 1)",
            (list(d["keywords"]), d["code"]))
    for category, rules in CATEGORY_RULES.items():
        for department, role, weight in rules:
            cursor.execute(
                "INSERT INTO routing_rules (category, keywords, department, role, weight) VALUES (%s, '{}', %s, %s, %s)",
                (category, department, role, weight))


def rollback(conn):
    cursor = conn.cursor()
    cursor.execute("DELETE FROM routing_rules")
    cursor.execute("DELETE FROM departments")


steps = [step(apply, rollback)]
