#!/usr/bin/env bash
# `npm run demo:prometheus`: a local Prometheus on :9090 backfilled with the demo workspaces
# (ws-demo, ws-acme, ws-healthy; 24 h at 30 s, ending now). Stop it with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
TEST_SERVICES_DIR="$(pwd)/.tmp/demo"
. scripts/test-services.sh --no-start
dir="$TEST_SERVICES_DIR/prometheus"
start_backfilled_prometheus "$dir" "${DEMO_PROMETHEUS_PORT:-9090}" --demo 24 30s
trap 'kill "$(cat "$dir/prometheus.pid")" 2>/dev/null || true' EXIT INT TERM
echo "Prometheus with the demo workspaces: http://127.0.0.1:${DEMO_PROMETHEUS_PORT:-9090}"
echo "Run the service against it:  PROMETHEUS_URL=http://127.0.0.1:${DEMO_PROMETHEUS_PORT:-9090} npm start"
wait "$(cat "$dir/prometheus.pid")"
