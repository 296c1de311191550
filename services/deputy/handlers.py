"""Use cases of the deputy service: functions of (command, uow)."""
from contracts.events import deputy as events
from kernel.errors import Conflict, NotFound, Unprocessable
from services.deputy.domain import Deputy, Station, station_fits, station_tree


def _check_station(uow, deputy):
    station = uow.stations.get(deputy.station_code)
    if station is None:
        raise Unprocessable("unknown station", {"station_code": [f"no station {deputy.station_code}"]})
    if not station_fits(deputy, station):
        raise Unprocessable("station is not in the deputy's town",
                            {"station_code": [f"{station.code} is in {station.town}, not {deputy.town}"]})


def register_deputy(command, uow, idempotency_key=None):
    """``command``: validated fields of a new deputy (code optional). A repeated
    ``idempotency_key`` returns the deputy the first request registered."""
    with uow:
        if idempotency_key:
            earlier = uow.recall("register_deputy", idempotency_key)
            if earlier is not None:
                return uow.deputies.get(earlier["code"])
        # no code given: the repository numbers the deputy as it inserts (one statement)
        deputy = Deputy(**{**command, "code": command.get("code"), "version": 1})
        _check_station(uow, deputy)
        taken = uow.deputies.add(deputy)
        if taken == "phone":
            raise Conflict("phone already registered", {"phone": ["another deputy has this phone number"]})
        if taken == "code":
            raise Conflict(f"deputy {deputy.code} already exists", {"code": [f"{deputy.code} is taken"]})
        uow.emit(events.DEPUTY_REGISTERED, deputy.event_data(), aggregate_id=deputy.code)
        if idempotency_key:
            uow.remember("register_deputy", idempotency_key, {"code": deputy.code})
        uow.commit()
    return deputy


def update_deputy(code, changes, uow, expected_version=None):
    with uow:
        deputy = uow.deputies.get(code, for_update=True)
        if deputy is None:
            raise NotFound(f"deputy {code} not found", {"id": code})
        if expected_version is not None and expected_version != deputy.version:
            raise Conflict("deputy was changed by someone else",
                           {"version": deputy.version, "expected_version": expected_version})
        changed = deputy.apply(changes)
        if not changed:
            return deputy
        if {"station_code", "town", "level"} & set(changed):
            _check_station(uow, deputy)
        if "phone" in changed and deputy.phone and uow.deputies.phone_taken(deputy.phone, except_code=code):
            raise Conflict("phone already registered", {"phone": ["another deputy has this phone number"]})
        uow.deputies.save(deputy, changed)
        uow.emit(events.DEPUTY_UPDATED, {**deputy.event_data(), "changed": changed}, aggregate_id=code)
        uow.commit()
    return deputy


def get_deputy(code, uow):
    with uow:
        deputy = uow.deputies.get(code)
    if deputy is None:
        raise NotFound(f"deputy {code} not found", {"id": code})
    return deputy


def list_deputies(query, uow):
    with uow:
        return uow.deputies.list(**query)


def station_hierarchy(uow):
    with uow:
        return station_tree(uow.stations.all())


def load_roster(stations, deputies, uow):
    """Demo/import path: add what is missing, through the same rules and events."""
    added = 0
    with uow:
        for row in stations:
            uow.stations.add(Station(**row))
        uow.commit()
    for row in deputies:
        with uow:
            exists = uow.deputies.get(row["code"]) is not None
        if not exists:
            register_deputy(row, uow)
            added += 1
    with uow:
        uow.deputies.sync_number_sequence()
        uow.commit()
    return added
