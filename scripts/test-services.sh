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

stop_test_services() {
  for entry in "${STARTED_SERVICES[@]:-}"; do
    [ -n "$entry" ] || continue
    case "$entry" in
      redis:*) kill "$(cat "${entry#redis:}")" 2>/dev/null || true ;;
      postgres:*) local as=(); [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
                  "${as[@]}" "$(pg_bin)/pg_ctl" -D "${entry#postgres:}" -m fast stop >/dev/null 2>&1 || true ;;
    esac
  done
}

ensure_redis
ensure_postgres
