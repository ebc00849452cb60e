#!/usr/bin/env bash
# Makes sure PostgreSQL 15's server binaries and psql are installed (the server tests start a
# throwaway cluster from them). Installs them with apt when run as root; otherwise says how.
set -euo pipefail
if [ -x /usr/lib/postgresql/15/bin/postgres ] && command -v psql >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing PostgreSQL 15 (apt-get) for the server tests..." >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    postgresql-15 postgresql-client-15 >/dev/null
  exit 0
fi
echo "PostgreSQL 15 is needed by the server tests: sudo apt-get install postgresql-15" >&2
echo "(or set STARSTATS_TEST_SKIP_POSTGRES=1 to run only the SQLite half locally)" >&2
exit 1
