"""Unit tests for demo.county (deterministic demo data) and contracts.reference (the county's reference data)."""

import hashlib
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

from contracts import reference
from demo import county as demo

REPO_ROOT = Path(__file__).resolve().parents[2]

# Prints a sha256 of everything the module exposes; run in fresh processes.
_DIGEST_SCRIPT = """
import hashlib, json
from contracts import reference
from demo import county as demo
payload = {
    "towns": reference.TOWNS,
    "stations": demo.generate_stations(),
    "deputies": demo.generate_deputies(),
    "committee": demo.STANDING_COMMITTEE_CODES,
    "departments": reference.DEPARTMENTS,
    "categories": reference.SUGGESTION_CATEGORIES,
}
print(hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest())
"""


def _stations_by_code():
    return {s["code"]: s for s in demo.generate_stations()}


def test_towns():
    assert len(reference.TOWNS) == 11
    assert len(set(reference.TOWNS)) == 11
    assert reference.TOWNS[0] == "城关镇"
    assert "江口回族镇" in reference.TOWNS
    assert demo.TERM == 19


def test_station_counts_and_codes():
    stations = demo.generate_stations()
    assert len(stations) == 51
    assert Counter(s["level"] for s in stations) == {"county": 1, "town": 10, "village": 40}
    codes = [s["code"] for s in stations]
    assert len(set(codes)) == 51
    assert codes[0] == "ST-000"
    assert sorted(c for c in codes if c.startswith("ST-T")) == [f"ST-T{i:02d}" for i in range(1, 11)]
    assert sorted(c for c in codes if c.startswith("ST-V")) == [f"ST-V{i:02d}" for i in range(1, 41)]
    assert len({s["name"] for s in stations}) == 51


def test_station_fields_and_hierarchy():
    by_code = _stations_by_code()
    keys = {"code", "name", "level", "town", "parent_code", "address", "reception_day"}
    home = by_code["ST-000"]
    assert home["name"] == "宁陕县人大代表之家"
    assert home["level"] == "county" and home["parent_code"] is None
    centre_towns = []
    for s in by_code.values():
        assert set(s) == keys
        assert s["name"] and s["address"] and s["reception_day"]
        if s["level"] == "town":
            assert s["parent_code"] == "ST-000"
            assert s["town"] in reference.TOWNS
            centre_towns.append(s["town"])
        elif s["level"] == "village":
            assert s["town"] in reference.TOWNS
            assert s["name"].startswith(s["town"]) and s["name"].endswith("代表联络站")
            parent = by_code[s["parent_code"]]
            # Parent is the town's centre, or the county home if it has none.
            assert parent["level"] in ("town", "county")
            if parent["level"] == "town":
                assert parent["town"] == s["town"]
            else:
                assert s["town"] not in centre_towns
    # One centre per town for 10 distinct towns; every town has villages.
    assert len(set(centre_towns)) == 10
    village_towns = {s["town"] for s in by_code.values() if s["level"] == "village"}
    assert village_towns == set(reference.TOWNS)


def test_deputy_counts_and_split():
    deputies = demo.generate_deputies()
    assert len(deputies) == 693
    levels = Counter(d["level"] for d in deputies)
    assert 130 <= levels["county"] <= 170
    assert levels["county"] + levels["town"] == 693
    # County deputies come first in code order.
    first_town = next(i for i, d in enumerate(deputies) if d["level"] == "town")
    assert all(d["level"] == "county" for d in deputies[:first_town])
    assert all(d["level"] == "town" for d in deputies[first_town:])
    per_town = Counter(d["town"] for d in deputies)
    assert set(per_town) == set(reference.TOWNS)
    assert per_town.most_common(1)[0][0] == "城关镇"
    assert min(per_town.values()) >= 30


def test_deputy_fields():
    keys = {"code", "name", "gender", "ethnicity", "birth_year", "level", "town",
            "station_code", "term", "occupation", "phone", "email", "status"}
    for d in demo.generate_deputies():
        assert set(d) == keys
        assert re.fullmatch(r"D\d{4}", d["code"])
        assert re.fullmatch(r"[\u4e00-\u9fff]{2,3}", d["name"])
        assert d["gender"] in ("male", "female")
        assert d["ethnicity"].endswith("族")
        assert 1958 <= d["birth_year"] <= 2000
        assert d["level"] in ("county", "town")
        assert d["town"] in reference.TOWNS
        assert isinstance(d["term"], int)
        assert d["occupation"]
        assert re.fullmatch(r"1[3589]\d{9}", d["phone"])
        assert d["email"] is None or d["email"] == f"{d['code'].lower()}@example.org"
        assert d["status"] in ("active", "inactive")
        if d["level"] == "county":
            assert d["term"] == demo.TERM


def test_deputy_uniqueness():
    deputies = demo.generate_deputies()
    codes = [d["code"] for d in deputies]
    assert codes == [f"D{i:04d}" for i in range(1, 694)]
    assert len({d["phone"] for d in deputies}) == 693
    names = Counter(d["name"] for d in deputies)
    assert sum(c - 1 for c in names.values()) <= 7  # namesakes rare


def test_deputy_distributions():
    deputies = demo.generate_deputies()
    n = len(deputies)
    female = sum(d["gender"] == "female" for d in deputies) / n
    assert 0.30 <= female <= 0.35
    email = sum(d["email"] is not None for d in deputies) / n
    assert 0.30 <= email <= 0.50
    assert 3 <= sum(d["status"] == "inactive" for d in deputies) <= 6
    eth = Counter(d["ethnicity"] for d in deputies)
    assert eth["汉族"] / n > 0.85 and eth["回族"] > 0
    hui_town = [d for d in deputies if d["town"] == "江口回族镇"]
    hui_share = sum(d["ethnicity"] == "回族" for d in hui_town) / len(hui_town)
    others = [d for d in deputies if d["town"] != "江口回族镇"]
    assert hui_share > sum(d["ethnicity"] == "回族" for d in others) / len(others)
    surnames = Counter(d["name"][0] for d in deputies)
    assert {s for s, _ in surnames.most_common(6)} & {"王", "李", "张"} == {"王", "李", "张"}
    assert len(Counter(d["occupation"] for d in deputies)) >= 8


def test_deputy_station_matches_town():
    by_code = _stations_by_code()
    village_members = 0
    for d in demo.generate_deputies():
        station = by_code[d["station_code"]]
        if station["code"] == "ST-000":
            # County home also serves as 城关镇's centre.
            assert d["level"] == "county" or d["town"] == station["town"]
        else:
            assert station["town"] == d["town"]
        village_members += station["level"] == "village"
    assert village_members > 693 / 2  # village stations hold most deputies


def test_standing_committee():
    codes = demo.STANDING_COMMITTEE_CODES
    assert len(codes) == 25 and len(set(codes)) == 25
    by_code = {d["code"]: d for d in demo.generate_deputies()}
    for code in codes:
        assert by_code[code]["level"] == "county"
        assert by_code[code]["status"] == "active"


def test_departments():
    depts = reference.DEPARTMENTS
    assert 28 <= len(depts) <= 34
    codes = [d["code"] for d in depts]
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"[a-z0-9_]+", c) for c in codes)
    assert len({d["short_name"] for d in depts}) == len(depts)
    short_names = {d["short_name"] for d in depts}
    for required in ("教育局", "卫健局", "交通运输局", "财政局", "住建局", "农业农村局",
                     "水利局", "民政局", "人社局", "公安局", "林业局", "医保局"):
        assert required in short_names
    keywords = [k for d in depts for k in d["keywords"]]
    assert len(set(keywords)) == len(keywords)  # each keyword routes to one dept
    for d in depts:
        assert set(d) == {"code", "name", "short_name", "keywords"}
        assert d["name"] and d["keywords"]


def test_suggestion_categories():
    cats = reference.SUGGESTION_CATEGORIES
    assert len(cats) == len(set(cats)) >= 8
    assert "其他" in cats and "教育" in cats


def test_deterministic_in_process():
    assert demo.generate_stations() == demo.generate_stations()
    assert demo.generate_deputies() == demo.generate_deputies()
    # Returned dicts are fresh copies: mutating them cannot leak.
    first = demo.generate_deputies()
    first[0]["name"] = "changed"
    assert demo.generate_deputies()[0]["name"] != "changed"


def test_deterministic_across_processes():
    digests = set()
    for hash_seed in ("0", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed, PYTHONPATH=str(REPO_ROOT))
        out = subprocess.run([sys.executable, "-c", _DIGEST_SCRIPT], cwd=REPO_ROOT, env=env,
                             capture_output=True, text=True, check=True, timeout=60)
        digests.add(out.stdout.strip())
    payload = {
        "towns": reference.TOWNS,
        "stations": demo.generate_stations(),
        "deputies": demo.generate_deputies(),
        "committee": demo.STANDING_COMMITTEE_CODES,
        "departments": reference.DEPARTMENTS,
        "categories": reference.SUGGESTION_CATEGORIES,
    }
    local = hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    assert digests == {local}
