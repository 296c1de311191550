#!/bin/sh
# One replica of a platform process, as deploy/Procfile starts it:
#   scripts/replica.sh <first port> <port step> <module>
# honcho names replica k of a Procfile entry "<entry>.<k>" (HONCHO_PROCESS_NAME; `make run
# REPLICAS=gateway=2,suggestion=2` asks for k = 1, 2); replica k serves its HTTP (the gateway's
# API, a service's /health and /metrics) on <first port> + <port step>·(k-1), on 127.0.0.1
# unless LISTEN_HOST says otherwise. Without honcho (no HONCHO_PROCESS_NAME) it is replica 1.
set -eu
first_port=$1
step=$2
module=$3
replica=${HONCHO_PROCESS_NAME:-process.1}
replica=${replica##*.}
case $replica in
    ''|*[!0-9]*) echo "replica.sh: cannot read the replica number from HONCHO_PROCESS_NAME=$HONCHO_PROCESS_NAME" >&2; exit 2 ;;
esac
export PYTHONUNBUFFERED=1
export WEB_SERVER_ADDRESS="${LISTEN_HOST:-127.0.0.1}:$((first_port + step * (replica - 1)))"
exec .venv/bin/python -m kernel.runner "$module"
