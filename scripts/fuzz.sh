#!/usr/bin/env bash
# `npm run fuzz`: the hostile-input suite (test/fuzz/) with a larger budget than `npm test` gives it.
# Brings the test services up the way `npm test` does (the real Prometheus is fuzzed too), then runs
# only test/fuzz. Override the budget with FUZZ_SECONDS / FUZZ_PROMETHEUS_SECONDS / FUZZ_RUNS, replay
# a run with FUZZ_SEED (printed at the start); see the README section "Hostile-input fuzzing".
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/test-services.sh
trap stop_test_services EXIT

export FUZZ_SECONDS="${FUZZ_SECONDS:-600}" FUZZ_PROMETHEUS_SECONDS="${FUZZ_PROMETHEUS_SECONDS:-120}" FUZZ_RUNS="${FUZZ_RUNS:-100000}"
npx vitest run test/fuzz "$@"
