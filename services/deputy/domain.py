"""Deputies (人大代表) and liaison stations (代表家站): rules only, no I/O."""
from dataclasses import asdict, dataclass, field, fields

# The vocabulary callers validate against is the contract's (contracts/deputy.py).
from contracts.deputy import GENDERS, LEVELS, STATUSES, STATION_LEVELS  # noqa: F401


# Fields only staff and the deputy themself may read (API.md: phone is not public).
CONTACT_FIELDS = ("phone", "email")
# Fields that never leave the deputy service in events: contact data stays here.
EVENT_EXCLUDED = CONTACT_FIELDS


@dataclass
class Station:
    code: str
    name: str
    level: str
    town: str | None
    parent_code: str | None
    address: str = ""
    reception_day: str = ""


@dataclass
class Deputy:
    code: str
    name: str
    gender: str
    ethnicity: str
    birth_year: int
    level: str
    town: str
    station_code: str
    term: int
    occupation: str = ""
    phone: str | None = None
    email: str | None = None
    status: str = "active"
    version: int = 1
    extra: dict = field(default_factory=dict, repr=False, compare=False)

    MUTABLE = ("name", "gender", "ethnicity", "birth_year", "level", "town", "station_code",
               "term", "occupation", "phone", "email", "status")

    def apply(self, changes):
        """Apply allowed changes; return the names of the fields that really changed."""
        changed = [name for name, value in changes.items()
                   if name in self.MUTABLE and getattr(self, name) != value]
        for name in changed:
            setattr(self, name, changes[name])
        if changed:
            self.version += 1
        return changed

    def event_data(self):
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "extra"}
        for name in EVENT_EXCLUDED:
            data.pop(name)
        return data

    def as_dict(self, include_contact):
        data = {"id": self.code, **asdict(self)}
        data.pop("extra")
        if not include_contact:
            for name in CONTACT_FIELDS:
                data.pop(name)
        return data


def station_fits(deputy, station):
    """A deputy belongs to a station of their own town; county deputies may also belong
    to the county deputies' home."""
    if station.town == deputy.town:
        return True
    return deputy.level == "county" and station.level == "county"


def station_tree(stations):
    """Nest stations under their parents: the 1 + 10 + 40 hierarchy."""
    nodes = {s.code: {**asdict(s), "children": []} for s in stations}
    roots = []
    for station in stations:
        node = nodes[station.code]
        parent = nodes.get(station.parent_code)
        (parent["children"] if parent else roots).append(node)
    return roots
