#!/usr/bin/env bash
# Brings up every service the test suite needs and exports where they are (TEST_*_URL).
# For each service: reuse one already listening; else start the installed binary on a private
# port and data dir; else install it with apt-get when running as root; else fail naming it.
# Source it (`. scripts/test-services.sh`); services it started are stopped by stop_test_services.
# TEST_SERVICES_PRIVATE=1 skips the reuse step (to check the start-it-ourselves path).
set -euo pipefail

TEST_SERVICES_DIR="${TEST_SERVICES_DIR:-$(pwd)/.tmp/services}"
mkdir -p "$TEST_SERVICES_DIR"
STARTED_SERVICES=()
APT_UPDATED=0

log() { printf '[services] %s\n' "$*" >&2; }

port_open() { timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

wait_port() { # port seconds
  for _ in $(seq 1 $(( $2 * 10 ))); do port_open "$1" && return 0; sleep 0.1; done
  return 1
}

apt_install() { # packages...
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    log "cannot install $* (need root and apt-get): install it and re-run"; return 1
  fi
  if [ "$APT_UPDATED" = 0 ]; then apt-get update -qq >&2; APT_UPDATED=1; fi
  log "installing $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

redis_pong() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1; printf 'PING\r\n' >&3; head -c 5 <&3" 2>/dev/null | grep -q PONG; }

ensure_redis() {
  if [ "${TEST_SERVICES_PRIVATE:-0}" != 1 ] && redis_pong 6379; then export TEST_REDIS_URL=redis://127.0.0.1:6379; log "redis: reusing 127.0.0.1:6379"; return; fi
  command -v redis-server >/dev/null || apt_install redis-server
  local port=16379 dir="$TEST_SERVICES_DIR/redis"
  mkdir -p "$dir"
  if ! redis_pong $port; then
    redis-server --daemonize yes --bind 127.0.0.1 --port $port --save '' --appendonly no --dir "$dir" \
      --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >&2
    wait_port $port 10 || { log "redis did not start; see $dir/redis.log"; return 1; }
    STARTED_SERVICES+=("redis:$dir/redis.pid")
  fi
  export TEST_REDIS_URL="redis://127.0.0.1:$port"; log "redis: started on $port"
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

ensure_postgres() {
  if [ "${TEST_SERVICES_PRIVATE:-0}" != 1 ] && port_open 5432 && command -v psql >/dev/null && psql -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; then
    export TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres; log "postgres: reusing 127.0.0.1:5432"; return
  fi
  [ -n "$(pg_bin)" ] || apt_install postgresql
  local bin; bin="$(pg_bin)"
  local port=55432 dir="$TEST_SERVICES_DIR/postgres"
  local as=(); [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
  if ! port_open $port; then
    rm -rf "$dir"; mkdir -p "$dir"; [ "$(id -u)" = 0 ] && chown postgres "$dir"
    "${as[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust >/dev/null
    "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" -l "$dir/pg.log" -w start >&2
    STARTED_SERVICES+=("postgres:$dir/data")
  fi
  export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"; log "postgres: started on $port"
}

# ClickHouse: the audit tests start (and kill -9) their own private clickhouse-server, so this only
# makes sure Debian's binary (18.16) is installed and exports where it and its packaged config are.
# Nothing is left running, so stop_test_services has nothing to stop for it.
ensure_clickhouse() {
  command -v clickhouse-server >/dev/null || [ -x /usr/bin/clickhouse ] || apt_install clickhouse-server clickhouse-client
  local bin; bin="$(command -v clickhouse-server || echo /usr/bin/clickhouse-server)"
  [ -f /etc/clickhouse-server/config.xml ] || { log "clickhouse: /etc/clickhouse-server/config.xml missing; reinstall clickhouse-server"; return 1; }
  export TEST_CLICKHOUSE_SERVER_BIN="$bin" TEST_CLICKHOUSE_CONFIG=/etc/clickhouse-server/config.xml
  log "clickhouse: $bin (tests start private servers on free ports)"
}

# A real Prometheus (Debian's 2.42) holding several workspaces: scenario series are generated
# ending now, backfilled with promtool before start (queryable at once), served on a private port.
# There is no reuse step: the tests need exactly this data. The window is exported for the tests.
start_backfilled_prometheus() { # dir port "generator selection args" hours step
  local dir="$1" port="$2"
  command -v prometheus >/dev/null && command -v promtool >/dev/null || apt_install prometheus
  if [ -f "$dir/prometheus.pid" ]; then kill "$(cat "$dir/prometheus.pid")" 2>/dev/null || true; sleep 0.5; fi
  if port_open "$port"; then log "port $port is already in use: stop what listens there (a stale Prometheus would hold other data)"; return 1; fi
  rm -rf "$dir"; mkdir -p "$dir/tsdb"
  # shellcheck disable=SC2086 # $3 is a word list of generator flags
  node --import tsx scripts/generate-openmetrics.ts $3 --hours "$4" --step "$5" --end now --out "$dir/data.om" > "$dir/window.json"
  promtool tsdb create-blocks-from openmetrics "$dir/data.om" "$dir/tsdb" >/dev/null
  rm -f "$dir/data.om"
  printf 'global:\n  scrape_interval: 1m\nscrape_configs: []\n' > "$dir/prometheus.yml"
  prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/tsdb" --storage.tsdb.retention.time=30d \
    --web.listen-address="127.0.0.1:$port" > "$dir/prometheus.log" 2>&1 &
  echo $! > "$dir/prometheus.pid"
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/-/ready" >/dev/null 2>&1 && return 0; sleep 0.1; done
  log "prometheus did not become ready; see $dir/prometheus.log"; return 1
}

ensure_prometheus() {
  local dir="$TEST_SERVICES_DIR/prometheus" port=19090
  start_backfilled_prometheus "$dir" $port "--workspaces ws-a:memory_leak+pvc_filling,ws-b:cpu_saturation+egress_spike,ws-c:" 6 30s
  STARTED_SERVICES+=("prometheus:$dir/prometheus.pid")
  export TEST_PROMETHEUS_URL="http://127.0.0.1:$port" TEST_PROMETHEUS_WINDOW="$(cat "$dir/window.json")"
  log "prometheus: started on $port with workspaces ws-a, ws-b, ws-c"
}

stop_test_services() {
  for entry in "${STARTED_SERVICES[@]:-}"; do
    [ -n "$entry" ] || continue
    case "$entry" in
      redis:*) kill "$(cat "${entry#redis:}")" 2>/dev/null || true ;;
      prometheus:*) kill "$(cat "${entry#prometheus:}")" 2>/dev/null || true ;;
      postgres:*) local as=(); [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
                  "${as[@]}" "$(pg_bin)/pg_ctl" -D "${entry#postgres:}" -m fast stop >/dev/null 2>&1 || true ;;
    esac
  done
}

# `--no-start`: only define the functions (scripts/demo-prometheus.sh reuses them).
if [ "${1:-}" != --no-start ]; then
  ensure_redis
  ensure_postgres
  ensure_prometheus
  ensure_clickhouse
fi
