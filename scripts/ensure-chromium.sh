#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for the browser test (test/browser/): does
# nothing when it is already there, otherwise installs the `chromium` package with apt-get (root only).
# Idempotent and quiet: one line on stderr when it installs, nothing otherwise.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
[ -x "$CHROMIUM" ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "[chromium] $CHROMIUM is missing; install Debian's chromium package (needs root and apt-get) and re-run" >&2
  exit 1
fi
echo "[chromium] installing Debian's chromium (for the browser test)" >&2
export DEBIAN_FRONTEND=noninteractive
log="$(mktemp)"
# apt's chatter goes to a log that is shown only when something fails.
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium; } >"$log" 2>&1; then
  cat "$log" >&2; rm -f "$log"; echo "[chromium] apt-get failed" >&2; exit 1
fi
rm -f "$log"
[ -x "$CHROMIUM" ] || { echo "[chromium] apt-get finished but $CHROMIUM is still missing" >&2; exit 1; }
