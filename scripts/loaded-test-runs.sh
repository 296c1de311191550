#!/usr/bin/env bash
# Issue 15's check: `make test` (.ci/run) from fresh clones of this checkout's HEAD, N times in a
# row (default 3), while `stress-ng --cpu 2` keeps both cores busy. Stops at the first red run.
# Each run gets its own test database and vhost, so a `make run` platform beside it is untouched.
# Logs and a one-line summary per run go to $LOG_DIR (default /tmp/loaded-runs).
set -u
RUNS=${1:-3}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
COMMIT=$(git -C "$ROOT" rev-parse HEAD)
LOG_DIR=${LOG_DIR:-/tmp/loaded-runs}
mkdir -p "$LOG_DIR"
command -v stress-ng >/dev/null || { apt-get update -qq && apt-get install -y -qq stress-ng >/dev/null; }
stress-ng --cpu 2 --timeout 0 >/dev/null 2>&1 &
STRESS=$!
trap 'kill $STRESS 2>/dev/null' EXIT
for n in $(seq 1 "$RUNS"); do
  rm -rf "/tmp/loaded-run-$n"
  git clone -q "$ROOT" "/tmp/loaded-run-$n" && git -C "/tmp/loaded-run-$n" checkout -q "$COMMIT"
  start=$(date +%s)
  (cd "/tmp/loaded-run-$n" && CI=true TEST_DATABASE=renda_loaded$n TEST_VHOST=renda_loaded$n bash .ci/run) \
    > "$LOG_DIR/run-$n.log" 2>&1
  rc=$?
  echo "run $n commit $COMMIT rc=$rc seconds=$(( $(date +%s) - start )) load=$(cut -d' ' -f1-3 /proc/loadavg)" \
    | tee -a "$LOG_DIR/summary.txt"
  [ "$rc" -eq 0 ] || exit "$rc"
done
