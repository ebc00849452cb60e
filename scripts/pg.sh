#!/usr/bin/env bash
# Throwaway PostgreSQL 15 for tests and benchmarks; no systemd, nothing outside its folder.
#   scripts/pg.sh up [PORT]   -> prints "DIR URL" (a fresh cluster on 127.0.0.1:PORT, db `app`)
#   scripts/pg.sh down DIR    -> stops it and removes DIR
# Durability is off (fsync etc.): the data is thrown away anyway. Run as root (the server
# runs as `postgres`) or as any other user (it runs as you).
set -euo pipefail
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "${1:-}" in
up)
  if [ ! -x "$PGBIN/postgres" ]; then
    echo "PostgreSQL 15 is not installed: apt-get install -y postgresql-15" >&2
    exit 3
  fi
  port=${2:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
  dir=$(mktemp -d /tmp/starstats-pg.XXXXXX)
  chmod 755 "$dir"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
  as_pg "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
  as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null
  as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U postgres app
  echo "$dir postgresql://postgres@127.0.0.1:$port/app"
  ;;
down)
  dir=${2:?usage: pg.sh down DIR}
  case "$dir" in /tmp/starstats-pg.*) ;; *) echo "refusing to remove $dir" >&2; exit 2 ;; esac
  as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  ;;
*)
  echo "usage: scripts/pg.sh up [PORT] | down DIR" >&2
  exit 2
  ;;
esac
