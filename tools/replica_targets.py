"""Replicas for ``make run REPLICAS=gateway=2,suggestion=2``: check the request against
deploy/Procfile and tell Prometheus where the extra replicas listen.

deploy/Procfile starts every replica through ``scripts/replica.sh <first port> <step> <module>``:
replica k of an entry listens on first port + step·(k-1). deploy/prometheus.yml scrapes replica 1
of each entry statically and the others from file-based discovery,
``var/prometheus/<entry>-replicas.json``, which this writes (and empties for entries run once, so
scaling down drops the targets). Prometheus rereads those files by itself.

    python3 -m tools.replica_targets [--write DIR] "gateway=2,suggestion=2"

Standard library only: scripts/run.sh runs it before the virtualenv exists, so a typo fails fast.
"""
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
PROCFILE = ROOT / "deploy" / "Procfile"
# Ports stay apart on one machine: gateways 8080.. below the services' 8101..; services 100 apart.
MAX_REPLICAS = {"gateway": 20}
MAX_SERVICE_REPLICAS = 9
_ENTRY = re.compile(r"^([a-z][a-z0-9_-]*):\s*scripts/replica\.sh\s+(\d+)\s+(\d+)\s+\S+")


class ReplicaSpecError(ValueError):
    pass


def procfile_entries(procfile=PROCFILE):
    """{entry: (first port, step)} of deploy/Procfile."""
    entries = {}
    for line in pathlib.Path(procfile).read_text(encoding="utf-8").splitlines():
        match = _ENTRY.match(line)
        if match:
            entries[match.group(1)] = (int(match.group(2)), int(match.group(3)))
    return entries


def parse(spec, entries):
    """{entry: count} of ``"gateway=2,suggestion=2"`` (empty: none)."""
    counts = {}
    for part in filter(None, (p.strip() for p in (spec or "").split(","))):
        name, _, count = part.partition("=")
        if name not in entries or not re.fullmatch(r"[1-9][0-9]*", count):
            raise ReplicaSpecError(f"REPLICAS: '{part}' is not <process>=<count> (processes: {' '.join(entries)})")
        limit = MAX_REPLICAS.get(name, MAX_SERVICE_REPLICAS)
        if int(count) > limit:
            raise ReplicaSpecError(f"REPLICAS: at most {MAX_REPLICAS['gateway']} gateways and "
                                   f"{MAX_SERVICE_REPLICAS} replicas of a service on one machine (ports)")
        counts[name] = int(count)
    return counts


def extra_targets(counts, entries, host="127.0.0.1"):
    """{entry: Prometheus file_sd target groups of its replicas 2..n} for every entry."""
    groups = {}
    for name, (first_port, step) in entries.items():
        groups[name] = [{"targets": [f"{host}:{first_port + step * (k - 1)}"],
                         "labels": {"process": name, "replica": str(k)}}
                        for k in range(2, counts.get(name, 1) + 1)]
    return groups


def write(directory, groups):
    directory = pathlib.Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name, group in groups.items():
        path = directory / f"{name}-replicas.json"
        temporary = path.with_suffix(".json.tmp")      # Prometheus never reads half a file
        temporary.write_text(json.dumps(group, indent=2) + "\n", encoding="utf-8")
        temporary.replace(path)


def main(argv=None):
    args = list(sys.argv[1:] if argv is None else argv)
    directory = None
    if args[:1] == ["--write"]:
        directory, args = args[1], args[2:]
    entries = procfile_entries()
    try:
        counts = parse(args[0] if args else "", entries)
    except ReplicaSpecError as error:
        print(error, file=sys.stderr)
        return 2
    if directory:
        write(directory, extra_targets(counts, entries))
    return 0


if __name__ == "__main__":
    sys.exit(main())
