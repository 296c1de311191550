#!/usr/bin/env bash
# Run the whole platform on this machine:
#   setup (venv, deps, PostgreSQL, RabbitMQ) -> bootstrap (DB, roles,
#   migrations, demo data; idempotent) -> all processes under honcho.
# Ctrl-C stops every process.
#
# Replicas (competing consumers; deploy/Procfile says which ports they listen on):
#   REPLICAS=gateway=2,suggestion=2 bash scripts/run.sh     (or: make run REPLICAS=...)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# REPLICAS="<entry>=<n>,...": honcho's -c. Checked here, before setup, so a typo fails fast and the
# ports stay apart (tools/replica_targets.py); it also tells Prometheus where replicas 2..n listen
# (var/prometheus/<entry>-replicas.json, read by deploy/prometheus.yml).
REPLICAS="${REPLICAS:-}"
python3 -m tools.replica_targets --write var/prometheus "$REPLICAS" || exit 2
HONCHO_CONCURRENCY=()
[ -z "$REPLICAS" ] || HONCHO_CONCURRENCY=(-c "$REPLICAS")

bash scripts/setup.sh

echo "==> bootstrap: database, roles, migrations, demo data"
.venv/bin/python -m kernel.bootstrap --demo

cat <<'MSG'

==========================================================================
 Platform starting (Ctrl-C stops everything)

   Start here:     http://127.0.0.1:8080/          (links to everything)
   Public portal:  http://127.0.0.1:8080/portal/
   Deputies (phone): http://127.0.0.1:8080/m/
   Console (staff, departments): http://127.0.0.1:8080/console/
   API docs:       http://127.0.0.1:8080/api/docs

 Demo accounts (password for all: demo)
   admin        administrator
   staff        staff
   D0001 ...    deputies: username = deputy code (e.g. D0001)
   dept-edu ... departments: dept-<code> (e.g. dept-edu)
   editor       portal editor; town-<code> town reporters (e.g. town-simudi)
   unit-<code>  budget units (e.g. unit-107002): their own lines, payments and alerts

 Health/metrics: gateway :8080, news :8101, deputy :8102,
   suggestion :8103, budget :8104, voting :8105, webhooks :8106  (/health, /metrics)
   Replicas (REPLICAS=...): gateway k on :8079+k; service replica k on its port + 100·(k-1)
 Meeting display: http://127.0.0.1:8080/meetings/<id>/display  (ids: GET /api/v1/meetings)
==========================================================================

MSG

export PYTHONUNBUFFERED=1
[ -z "$REPLICAS" ] || echo "==> replicas: $REPLICAS"
exec .venv/bin/honcho -f deploy/Procfile -d . start "${HONCHO_CONCURRENCY[@]}"
