#!/usr/bin/env bash
# Makes sure the system programs the test suite drives for real are installed: Debian's
# Chromium (the web app's browser tests, through Playwright) and Prometheus with promtool
# (the observability tests scrape with it and check the shipped configs), and npm (it fetches
# the SpiceDB engine the authorization tests run: scripts/ensure-spicedb.sh). Installs them with
# apt when run as root; otherwise says how. PostgreSQL has its own script (ensure-postgres.sh).
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
# prometheus may be listed twice; apt does not mind.
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${missing[*]} (apt-get) for the test suite..." >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi
echo "The test suite needs: ${missing[*]}: sudo apt-get install ${missing[*]}" >&2
exit 1
