"""What the public portal shows of deputies and stations (代表风采, 代表联络站): the station
hierarchy with its coming reception days, the deputy list and a deputy's public profile.
Functions of (command, uow).

Every view here is built from an explicit list of public fields: contact data, leave reasons,
a reception's internal note and who recorded what never reach the portal, whatever the
tables gain later."""
from datetime import datetime, timezone

from kernel.errors import NotFound
from services.deputy import duty_handlers, voters
from services.deputy.domain import STATION_LEVELS, station_tree

PUBLIC_DEPUTY_FIELDS = ("code", "name", "gender", "ethnicity", "level", "town", "station_code", "term", "occupation",
                        "status")
PUBLIC_STATION_FIELDS = ("code", "name", "level", "town", "parent_code", "address", "reception_day")
UPCOMING_LIMIT = 300       # every station's next reception days (51 stations, a few each)
STATION_RECENT = 10
SITEMAP_DEPUTIES = 5000    # a county's deputies at both levels, with room to spare


def _today(today=None):
    return today or voters.today_in_beijing(datetime.now(timezone.utc))


def public_deputy(deputy):
    return {name: getattr(deputy, name) for name in PUBLIC_DEPUTY_FIELDS}


def _station(station):
    return {name: getattr(station, name) for name in PUBLIC_STATION_FIELDS}


def _reception(row, names, station_names):
    return {"id": row["id"], "station_code": row["station_code"],
            "station_name": station_names.get(row["station_code"], row["station_code"]),
            "date": row["held_on"].isoformat(), "starts_at": row["starts_at"], "ends_at": row["ends_at"],
            "status": row["status"],
            "deputies": [{"code": code, "name": names.get(code, code)}
                         for code in (row["sat"] if row["status"] == "held" else row["deputies"])]}


def _receptions(uow, rows, stations):
    names = uow.voters.deputy_names({code for row in rows for code in list(row["deputies"]) + list(row["sat"])})
    station_names = {s.code: s.name for s in stations}
    return [_reception(row, names, station_names) for row in rows]


def stations_page(uow, today=None):
    """The 1 + 10 + 40 hierarchy, each station with its coming reception days."""
    today = _today(today)
    with uow:
        stations = uow.stations.all()
        upcoming = _receptions(uow, uow.voters.upcoming_receptions(today, limit=UPCOMING_LIMIT), stations)
    by_station = {}
    for reception in upcoming:
        by_station.setdefault(reception["station_code"], []).append(reception)
    tree = station_tree(stations)

    def public(node):
        return {**{name: node[name] for name in PUBLIC_STATION_FIELDS},
                "upcoming": by_station.get(node["code"], []), "children": [public(c) for c in node["children"]]}
    counts = {level: sum(1 for s in stations if s.level == level) for level in STATION_LEVELS}
    return {"today": today.isoformat(), "counts": counts, "stations": [public(node) for node in tree],
            "upcoming": upcoming}


def station_page(code, uow, today=None):
    """One station: where, its coming and recent reception days and its deputies."""
    today = _today(today)
    with uow:
        station = uow.stations.get(code)
        if station is None:
            raise NotFound(f"station {code} not found", {"code": code})
        stations = uow.stations.all()
        upcoming = _receptions(uow, uow.voters.upcoming_receptions(today, station=code), stations)
        recent_rows, _ = uow.voters.receptions(code, limit=STATION_RECENT + len(upcoming))
        recent = _receptions(uow, [r for r in recent_rows if r["status"] == "held"][:STATION_RECENT], stations)
        deputies, _ = uow.deputies.list(station=code, status="active", limit=500)
    parent = next((s for s in stations if s.code == station.parent_code), None)
    return {"today": today.isoformat(), "station": _station(station),
            "parent": {"code": parent.code, "name": parent.name} if parent else None,
            "children": [{"code": s.code, "name": s.name} for s in stations if s.parent_code == code],
            "upcoming": upcoming, "recent": recent, "deputies": [public_deputy(d) for d in deputies]}


def deputies_page(query, uow):
    """Active deputies (public fields), by level, town or name; with the towns to filter by."""
    with uow:
        deputies, total = uow.deputies.list(level=query.get("level"), town=query.get("town"), q=query.get("q"),
                                            status="active", limit=query.get("limit", 50),
                                            offset=query.get("offset", 0))
        stations = uow.stations.all()
    names = {s.code: s.name for s in stations}
    towns = sorted({s.town for s in stations if s.level == "town" and s.town})
    return {"items": [{**public_deputy(d), "station_name": names.get(d.station_code, d.station_code)}
                      for d in deputies], "total": total, "towns": towns}


def deputy_page(deputy_id, year, uow, today=None):
    """A deputy's public profile: public fields, station, the published parts of the year's
    duty record (as anyone but the deputy and staff sees it) and their coming reception days."""
    today = _today(today)
    record = duty_handlers.duty_record(deputy_id, year, None, uow)
    with uow:
        deputy = uow.deputies.get(deputy_id)
        station = uow.stations.get(deputy.station_code)
        stations = uow.stations.all()
        upcoming = _receptions(uow, uow.voters.upcoming_receptions(today, deputy=deputy_id), stations)
    parts = {part: entries for part, entries in record["parts"].items() if part != "basic"}
    return {"today": today.isoformat(), "year": year, "deputy": public_deputy(deputy),
            "station": {"code": station.code, "name": station.name} if station else None,
            "parts": parts, "upcoming": upcoming}


def sitemap_entries(uow):
    """What the portal's sitemap lists of people: every station and every active deputy."""
    with uow:
        stations = uow.stations.all()
        deputies, _ = uow.deputies.list(status="active", limit=SITEMAP_DEPUTIES)
    return {"stations": [s.code for s in stations], "deputies": [d.code for d in deputies]}
