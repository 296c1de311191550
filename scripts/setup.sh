#!/usr/bin/env bash
# Prepare this machine to run the platform: Python virtualenv + dependencies,
# PostgreSQL and RabbitMQ.  Idempotent: a second run only checks.
#
#   bash scripts/setup.sh
#
# Environment:
#   DATABASE_URL   default postgresql://postgres@127.0.0.1:5432/renda
#   AMQP_URI       default amqp://guest:guest@127.0.0.1:5672/
#   PYTHON         interpreter for a new .venv (default: python3.11, else python3)
#   SETUP_WAIT     seconds to wait for each service to answer (default 90)
#   LOCK_FILE      requirements file to install (default requirements.lock)
#   SETUP_PG_TRUST=1  (root, local cluster) if PostgreSQL wants a password for
#                  the postgres role over TCP, add trust lines to pg_hba.conf;
#                  done automatically only for a cluster this script installed
#
# Services are installed/started only when their URL points at this machine;
# for a remote host we only check that it answers.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# rabbitmq-server, pg_ctlcluster... live in sbin, often not in a user's PATH
export PATH="$PATH:/usr/sbin:/sbin"

DATABASE_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/renda}"
AMQP_URI="${AMQP_URI:-amqp://guest:guest@127.0.0.1:5672/}"
SETUP_WAIT="${SETUP_WAIT:-90}"
LOCK_FILE="${LOCK_FILE:-requirements.lock}"
VENV=".venv"
STAMP="$VENV/.requirements.lock.sha256"

say()  { printf '==> %s\n' "$*"; }
ok()   { printf '    ok: %s\n' "$*"; }
warn() { printf '    warning: %s\n' "$*" >&2; }
die()  { printf '\nERROR: %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }
# sudo prefix for printed instructions
SUDO=""; is_root || SUDO="sudo "

APT_UPDATED=0
apt_install() {
    # apt_install PKG...  (root only)
    command -v apt-get >/dev/null 2>&1 \
        || die "apt-get not found: install $* with your system's package manager, then re-run."
    if [ "$APT_UPDATED" -eq 0 ]; then
        say "apt-get update"
        apt-get update -qq
        APT_UPDATED=1
    fi
    say "apt-get install -y $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

# ---------------------------------------------------------------------------
# 1. Python 3.11 virtualenv
# ---------------------------------------------------------------------------
py_version() { "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true; }

say "Python virtualenv ($VENV)"
if [ -x "$VENV/bin/python" ] && [ "$(py_version "$VENV/bin/python")" != "" ]; then
    v="$(py_version "$VENV/bin/python")"
    [ "$v" = "3.11" ] || die "$VENV uses Python $v but the platform needs Python 3.11.
       Remove it (rm -rf $VENV) and re-run with a Python 3.11 interpreter (PYTHON=/path/to/python3.11)."
    ok "$VENV exists (Python $v)"
else
    [ -e "$VENV" ] && { warn "$VENV exists but is broken; recreating it"; rm -rf "$VENV"; }
    PY="${PYTHON:-}"
    if [ -z "$PY" ]; then
        if command -v python3.11 >/dev/null 2>&1; then PY=python3.11; else PY=python3; fi
    fi
    command -v "$PY" >/dev/null 2>&1 || die "$PY not found. Install Python 3.11:
       Debian/Ubuntu: ${SUDO}apt-get install -y python3 python3-venv   (Debian 12 ships 3.11)"
    v="$(py_version "$PY")"
    [ "$v" = "3.11" ] || die "$PY is Python ${v:-unknown}; the platform needs Python 3.11.
       Install it and re-run, e.g. PYTHON=/usr/bin/python3.11 bash scripts/setup.sh"
    if ! "$PY" -c 'import venv, ensurepip' >/dev/null 2>&1; then
        if is_root && command -v apt-get >/dev/null 2>&1; then
            apt_install python3-venv
        else
            die "$PY cannot create virtualenvs (module venv/ensurepip missing).
       Debian/Ubuntu: ${SUDO}apt-get install -y python3-venv"
        fi
    fi
    say "creating $VENV with $PY (Python $v)"
    "$PY" -m venv "$VENV"
    ok "created $VENV"
fi

# ---------------------------------------------------------------------------
# 2. Dependencies, only when the lock file changed since the last install
# ---------------------------------------------------------------------------
say "Dependencies ($LOCK_FILE)"
[ -f "$LOCK_FILE" ] || die "$LOCK_FILE not found in $ROOT"
want="$(sha256sum "$LOCK_FILE" | cut -d' ' -f1)"
have="$(cat "$STAMP" 2>/dev/null || true)"
if [ "$want" = "$have" ]; then
    ok "up to date (unchanged since last install)"
else
    say "pip install -r $LOCK_FILE"
    "$VENV/bin/python" -m pip install --disable-pip-version-check --no-input -q -r "$LOCK_FILE" \
        || die "pip install -r $LOCK_FILE failed (see above)"
    echo "$want" > "$STAMP"
    ok "installed"
fi

# ---------------------------------------------------------------------------
# 2b. Random development secrets (JWT, service DB password, webhook signing,
#     department AMQP): made once into the git-ignored config/development-secrets.env
#     and reused after; kernel/config.py reads them, the environment still wins.
#     Production (APP_ENV=production) never uses that file.
# ---------------------------------------------------------------------------
if [ "${APP_ENV:-development}" != "production" ]; then
    say "Development secrets"
    ok "$("$VENV/bin/python" -m kernel.config ensure-development-secrets)"
fi

# ---------------------------------------------------------------------------
# helpers: URL parsing and waiting
# ---------------------------------------------------------------------------
# url_part URL FIELD DEFAULT_PORT  -> host or port
url_part() {
    "$VENV/bin/python" - "$1" "$2" "$3" <<'PY'
import sys
from urllib.parse import urlsplit
url, field, default_port = sys.argv[1], sys.argv[2], int(sys.argv[3])
u = urlsplit(url)
if field == "host":
    print(u.hostname or "127.0.0.1")
else:
    print(u.port or default_port)
PY
}

is_local() {
    case "$1" in
        127.*|localhost|::1|"$(hostname 2>/dev/null || echo localhost)") return 0 ;;
        *) return 1 ;;
    esac
}

tcp_open() {  # tcp_open HOST PORT
    "$VENV/bin/python" - "$1" "$2" <<'PY'
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2).close()
except OSError:
    sys.exit(1)
PY
}

amqp_ready() {  # amqp_ready HOST PORT: the server answers the AMQP 0-9-1 header
    "$VENV/bin/python" - "$1" "$2" <<'PY'
import socket, sys
try:
    with socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2) as s:
        s.settimeout(3)
        s.sendall(b"AMQP\x00\x00\x09\x01")
        data = s.recv(7)
    sys.exit(0 if data[:1] == b"\x01" else 1)
except OSError:
    sys.exit(1)
PY
}

pg_ready() {  # pg_ready HOST PORT
    if command -v pg_isready >/dev/null 2>&1; then
        pg_isready -q -h "$1" -p "$2" -t 2
    else
        tcp_open "$1" "$2"
    fi
}

wait_for() {  # wait_for SECONDS CMD...: run CMD every second until it succeeds
    local secs="$1"; shift
    local deadline=$(( $(date +%s) + secs ))
    until "$@"; do
        if [ "$(date +%s)" -ge "$deadline" ]; then
            return 1
        fi
        sleep 1
    done
}

# ---------------------------------------------------------------------------
# 3. PostgreSQL
# ---------------------------------------------------------------------------
PG_HOST="$(url_part "$DATABASE_URL" host 5432)"
PG_PORT="$(url_part "$DATABASE_URL" port 5432)"
PG_INSTALLED_NOW=0

pg_cluster_on_port() {  # prints "VERSION NAME" of the Debian cluster on PG_PORT
    command -v pg_lsclusters >/dev/null 2>&1 || return 0
    pg_lsclusters --no-header 2>/dev/null | awk -v p="$PG_PORT" '$3 == p {print $1, $2; exit}'
}

pg_start_local() {
    if command -v pg_lsclusters >/dev/null 2>&1; then
        local ver name port status found=0
        # start the cluster listening on PG_PORT (Debian's postgresql-common)
        while read -r ver name port status _; do
            [ "$port" = "$PG_PORT" ] || continue
            found=1
            case "$status" in
                online*) ok "cluster $ver/$name is online" ;;
                *)
                    say "starting PostgreSQL cluster $ver/$name (port $port)"
                    pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start \
                        || warn "pg_ctlcluster $ver $name start failed (log: /var/log/postgresql/postgresql-$ver-$name.log)"
                    ;;
            esac
        done < <(pg_lsclusters --no-header 2>/dev/null || true)
        if [ "$found" -eq 0 ]; then
            if ls /etc/postgresql/*/main >/dev/null 2>&1; then
                warn "no PostgreSQL cluster is configured for port $PG_PORT (clusters: $(pg_lsclusters --no-header 2>/dev/null | awk '{print $1"/"$2":"$3}' | xargs))"
            else
                ver="$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)"
                [ -n "$ver" ] || die "PostgreSQL server binaries not found under /usr/lib/postgresql"
                say "creating PostgreSQL cluster $ver/main on port $PG_PORT"
                pg_createcluster --port "$PG_PORT" "$ver" main
                pg_ctlcluster --skip-systemctl-redirect "$ver" main start
            fi
        fi
    elif command -v service >/dev/null 2>&1; then
        say "service postgresql start"
        service postgresql start || true
    else
        die "don't know how to start PostgreSQL on this machine; start it and re-run"
    fi
}

say "PostgreSQL at $PG_HOST:$PG_PORT"
if pg_ready "$PG_HOST" "$PG_PORT"; then
    ok "answers"
elif ! is_local "$PG_HOST"; then
    die "PostgreSQL at $PG_HOST:$PG_PORT does not answer, and it is not on this machine,
       so nothing was installed or started. Start it, or set DATABASE_URL."
else
    if ! command -v pg_ctlcluster >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
        if is_root; then
            apt_install postgresql
            PG_INSTALLED_NOW=1
        else
            die "PostgreSQL is not installed. Install and start it, then re-run:
       ${SUDO}apt-get update && ${SUDO}apt-get install -y postgresql
       ${SUDO}pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start"
        fi
    fi
    if ! pg_ready "$PG_HOST" "$PG_PORT"; then
        if is_root; then
            pg_start_local
        else
            die "PostgreSQL is installed but not running. Start it, then re-run:
       ${SUDO}pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start
       (or: ${SUDO}service postgresql start)"
        fi
    fi
    say "waiting up to ${SETUP_WAIT}s for PostgreSQL"
    wait_for "$SETUP_WAIT" pg_ready "$PG_HOST" "$PG_PORT" \
        || die "PostgreSQL did not answer at $PG_HOST:$PG_PORT within ${SETUP_WAIT}s.
       See /var/log/postgresql/ for its log."
    ok "answers"
fi

# The platform connects as in DATABASE_URL, without a password unless the URL
# has one.  A freshly installed Debian cluster wants a password on TCP; make it
# trust local TCP connections for the postgres role, but only for a cluster
# this script has just installed (never silently on an existing one).
pg_login() {
    "$VENV/bin/python" - "$DATABASE_URL" <<'PY' 2>&1
import sys
from urllib.parse import urlsplit, urlunsplit
u = urlsplit(sys.argv[1])
# connect to a database that always exists: 'renda' may not be created yet
url = urlunsplit((u.scheme, u.netloc, "/postgres", u.query, u.fragment))
try:
    import psycopg
except ImportError:
    print("psycopg not installed; skipping login check"); sys.exit(0)
try:
    psycopg.connect(url, connect_timeout=5).close()
except psycopg.OperationalError as exc:
    print(str(exc).strip()); sys.exit(1)
PY
}
if ! out="$(pg_login)"; then
    if ! echo "$out" | grep -qiE 'password|authentication|pg_hba'; then
        # e.g. role/database not created yet: kernel.bootstrap's business
        warn "login check as in DATABASE_URL failed: $out"
    elif is_local "$PG_HOST" && is_root && { [ "$PG_INSTALLED_NOW" -eq 1 ] || [ "${SETUP_PG_TRUST:-0}" = 1 ]; } \
         && read -r c_ver c_name < <(pg_cluster_on_port) && [ -n "${c_name:-}" ]; then
        hba="/etc/postgresql/$c_ver/$c_name/pg_hba.conf"
        say "letting role postgres log in over local TCP without a password ($hba)"
        sed -i '0,/^[[:space:]]*\(local\|host\)/s//host    all    postgres    127.0.0.1\/32    trust\nhost    all    postgres    ::1\/128         trust\n&/' "$hba"
        pg_ctlcluster --skip-systemctl-redirect "$c_ver" "$c_name" reload
        sleep 1
        out="$(pg_login)" || die "cannot log in to PostgreSQL as in DATABASE_URL: $out"
        ok "login as in DATABASE_URL works"
    else
        die "PostgreSQL answers but refuses the login in DATABASE_URL ($DATABASE_URL):
       $out
       Either put the password in DATABASE_URL, or (local development only) let the
       postgres role in without one: as root, SETUP_PG_TRUST=1 bash scripts/setup.sh
       adds 'host all postgres 127.0.0.1/32 trust' (and ::1) to the top of the
       cluster's pg_hba.conf and reloads it."
    fi
else
    ok "login as in DATABASE_URL works"
fi

# ---------------------------------------------------------------------------
# 4. RabbitMQ
# ---------------------------------------------------------------------------
MQ_HOST="$(url_part "$AMQP_URI" host 5672)"
MQ_PORT="$(url_part "$AMQP_URI" port 5672)"

say "RabbitMQ at $MQ_HOST:$MQ_PORT"
if amqp_ready "$MQ_HOST" "$MQ_PORT"; then
    ok "answers"
elif ! is_local "$MQ_HOST"; then
    die "RabbitMQ at $MQ_HOST:$MQ_PORT does not answer, and it is not on this machine,
       so nothing was installed or started. Start it, or set AMQP_URI."
else
    if ! command -v rabbitmq-server >/dev/null 2>&1 && [ ! -x /usr/sbin/rabbitmq-server ]; then
        if is_root; then
            apt_install rabbitmq-server
        else
            die "RabbitMQ is not installed. Install and start it, then re-run:
       ${SUDO}apt-get update && ${SUDO}apt-get install -y rabbitmq-server
       ${SUDO}rabbitmq-server -detached"
        fi
    fi
    if ! amqp_ready "$MQ_HOST" "$MQ_PORT"; then
        if is_root; then
            if tcp_open 127.0.0.1 25672 || { command -v rabbitmqctl >/dev/null && rabbitmqctl -q ping >/dev/null 2>&1; }; then
                ok "a RabbitMQ node is already running (maybe still booting): not starting another"
            else
                say "rabbitmq-server -detached"
                rabbitmq-server -detached || warn "rabbitmq-server -detached failed (log: /var/log/rabbitmq/)"
            fi
        else
            die "RabbitMQ is installed but not running. Start it, then re-run:
       ${SUDO}rabbitmq-server -detached     (or: ${SUDO}service rabbitmq-server start)"
        fi
    fi
    say "waiting up to ${SETUP_WAIT}s for RabbitMQ"
    wait_for "$SETUP_WAIT" amqp_ready "$MQ_HOST" "$MQ_PORT" \
        || die "RabbitMQ did not answer AMQP at $MQ_HOST:$MQ_PORT within ${SETUP_WAIT}s.
       Check: rabbitmqctl status; logs in /var/log/rabbitmq/.
       If it listens elsewhere, see listeners.tcp in /etc/rabbitmq/rabbitmq.conf or set AMQP_URI."
    ok "answers"
fi

# Department users (dept-<code>, read-only on their own queue) are created by kernel.bootstrap
# through the RabbitMQ management HTTP API (contracts/departments_amqp.py).
if is_local "$MQ_HOST" && command -v rabbitmq-plugins >/dev/null 2>&1; then
    say "RabbitMQ management plugin"
    if rabbitmq-plugins -q is_enabled rabbitmq_management >/dev/null 2>&1; then
        ok "rabbitmq_management enabled"
    elif is_root; then
        rabbitmq-plugins enable rabbitmq_management >/dev/null \
            && ok "rabbitmq_management enabled (http://127.0.0.1:15672)" \
            || warn "rabbitmq-plugins enable rabbitmq_management failed: department AMQP users will not be created"
    else
        warn "rabbitmq_management is not enabled: department AMQP users will not be created.
       Enable it: ${SUDO}rabbitmq-plugins enable rabbitmq_management"
    fi
    # A plugin enabled a moment ago starts its HTTP listener a few seconds later; bootstrap
    # (and the tests) create the department users through it right after this script.
    if rabbitmq-plugins -q is_enabled rabbitmq_management >/dev/null 2>&1; then
        for _ in $(seq 1 "$SETUP_WAIT"); do
            (exec 3<>/dev/tcp/127.0.0.1/15672) 2>/dev/null && break
            sleep 1
        done
        (exec 3<>/dev/tcp/127.0.0.1/15672) 2>/dev/null && ok "management API answers on :15672" \
            || warn "the management API does not answer on :15672: department AMQP users will not be created"
    fi
fi

# Queue depths for Prometheus (deploy/prometheus.yml scrapes :15692; the alert rules watch the
# DLQs and the department queues).
if is_local "$MQ_HOST" && command -v rabbitmq-plugins >/dev/null 2>&1; then
    say "RabbitMQ Prometheus plugin"
    if rabbitmq-plugins -q is_enabled rabbitmq_prometheus >/dev/null 2>&1; then
        ok "rabbitmq_prometheus enabled (http://127.0.0.1:15692/metrics)"
    elif is_root; then
        rabbitmq-plugins enable rabbitmq_prometheus >/dev/null \
            && ok "rabbitmq_prometheus enabled (http://127.0.0.1:15692/metrics)" \
            || warn "rabbitmq-plugins enable rabbitmq_prometheus failed: the broker's metrics are not exported"
    else
        warn "rabbitmq_prometheus is not enabled: ${SUDO}rabbitmq-plugins enable rabbitmq_prometheus"
    fi
fi

# ---------------------------------------------------------------------------
# 4b. Prometheus (promtool checks and unit-tests the alert rules; the monitoring test runs the
#     server against the platform). Debian's package; its service is not started here.
# ---------------------------------------------------------------------------
say "Prometheus (prometheus, promtool)"
if command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; then
    ok "$(prometheus --version 2>&1 | head -1)"
elif is_root; then
    apt_install prometheus
    ok "installed"
else
    warn "prometheus is not installed: the monitoring tests need it (${SUDO}apt-get install -y prometheus)"
fi

# ---------------------------------------------------------------------------
# 4c. kubectl (renders deploy/k8s with `kubectl kustomize`, offline: tests/unit/test_k8s_manifests.py).
#     Any kubectl will do; Debian's kubernetes-client when there is none. No cluster is contacted.
# ---------------------------------------------------------------------------
say "kubectl (kustomize for deploy/k8s)"
if command -v kubectl >/dev/null 2>&1 && kubectl kustomize --help >/dev/null 2>&1; then
    ok "$(kubectl version --client 2>/dev/null | head -1)"
elif is_root; then
    apt_install kubernetes-client
    ok "installed"
else
    warn "kubectl is not installed: the Kubernetes manifest test needs it (${SUDO}apt-get install -y kubernetes-client)"
fi

# ---------------------------------------------------------------------------
# 5. Headless Chromium (the meeting display's browser test, tests/e2e/test_display_e2e.py)
# ---------------------------------------------------------------------------
say "Chromium (headless browser for the display test)"
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
    ok "$(chromium --version 2>/dev/null || chromium-browser --version 2>/dev/null)"
elif is_root; then
    apt_install chromium
    ok "installed"
else
    warn "chromium is not installed: the display test needs it (${SUDO}apt-get install -y chromium)"
fi

# ---------------------------------------------------------------------------
# 6. CJK fonts (without them every Chinese character on a screen or screenshot is a box)
# ---------------------------------------------------------------------------
say "CJK fonts (fonts-noto-cjk)"
if fc-list 2>/dev/null | grep -qi "Noto Sans CJK\|Noto Serif CJK"; then
    ok "installed"
elif is_root; then
    apt_install fonts-noto-cjk
    ok "installed"
else
    warn "fonts-noto-cjk is not installed: pages in the browser tests show boxes (${SUDO}apt-get install -y fonts-noto-cjk)"
fi

# ---------------------------------------------------------------------------
# 7. Web clients (web/: the console and the mobile app), built when web/ changed
# ---------------------------------------------------------------------------
say "Web clients (web/)"
command -v npm >/dev/null 2>&1 || die "npm not found: install Node.js 20 (>= 20.19) and npm, then re-run."
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 20 ] || die "Node.js $(node --version) is too old: the web clients need Node.js 20.19 or newer."
WEB_STAMP="web/node_modules/.renda-build.sha256"
web_hash() {
    # everything the build reads: sources, configs and the lock file (not node_modules/dist)
    (cd web && find . -path ./node_modules -prune -o -path ./dist -prune -o -path ./build -prune \
        -o -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1
}
want_web="$(web_hash)"
if [ -f web/dist/console.html ] && [ -f web/dist/mobile.html ] && [ "$(cat "$WEB_STAMP" 2>/dev/null)" = "$want_web" ]; then
    ok "up to date (unchanged since last build)"
else
    if [ "$(cat web/node_modules/.renda-lock.sha256 2>/dev/null)" != "$(sha256sum web/package-lock.json | cut -d' ' -f1)" ]; then
        say "npm ci (web/)"
        (cd web && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci in web/ failed (see above)"
        sha256sum web/package-lock.json | cut -d' ' -f1 > web/node_modules/.renda-lock.sha256
    fi
    say "npm run build (web/)"
    (cd web && npm run --silent build -- --logLevel warn) || die "the web build failed (see above)"
    echo "$want_web" > "$WEB_STAMP"
    ok "built into web/dist"
fi

say "setup complete"
