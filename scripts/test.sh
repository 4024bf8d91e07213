#!/usr/bin/env bash
# The full test command (`npm test`): services, type check, lint, the whole vitest suite, the
# dependency report, and a closing "N passed, N failed" line for CI.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p reports

. scripts/test-services.sh
trap stop_test_services EXIT
# Debian's Chromium for the browser test (test/browser/); installed with apt-get when missing.
bash scripts/ensure-chromium.sh

echo '== type check' >&2
npx tsc --noEmit -p tsconfig.json
echo '== format (prettier --check; `npm run format` writes)' >&2
npx prettier --check . >/dev/null || { npx prettier --list-different . >&2; echo 'formatting differs in the files above: run npm run format' >&2; exit 1; }
echo '== lint (typescript-eslint + eslint-plugin-security + dependency direction)' >&2
npx eslint --max-warnings 0 .
echo '== dependency report' >&2
node scripts/dependency-report.mjs || true
echo '== tests' >&2
status=0
# Both projects: the suite, then the fault matrix (test/chaos) alone after it (vitest group order).
npx vitest run --reporter=default --reporter=json --outputFile.json=reports/vitest.json "$@" || status=$?
node scripts/test-summary.mjs reports/vitest.json || status=1
exit $status
