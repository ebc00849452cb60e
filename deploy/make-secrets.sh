#!/usr/bin/env bash
# Creates every secret file deploy/compose.yaml mounts, in deploy/secrets/ (or the folder
# given as $1), with fresh random values. A file that exists is kept, never overwritten:
# rotating a secret is a deliberate step (docs/operations.md). Run it as root (sudo): two files
# are given to the uid the API runs as (STARSTATS_API_UID, default 10001).
#
# Layout (deploy/secrets/README.md says what each file is):
#   the folder     0700, so no other host user can read any secret;
#   most files     0444: each container sees only the secrets compose mounts into it, and
#                  they run as different uids (postgres 999, SpiceDB 65532, Grafana 472...);
#   jwt_key.pem, starstats_db.pgpass
#                  0400, owned by the API's uid: asyncpg ignores a password file that
#                  others may read, and the signing key is the API's identity.
set -euo pipefail

dir=${1:-"$(cd "$(dirname "$0")" && pwd)/secrets"}
api_uid=${STARSTATS_API_UID:-10001}
umask 077
mkdir -p "$dir"
chmod 0700 "$dir"

# Hex only: nothing that pgpass (':' '\'), URLs (MC_HOST_...) or shells would need escaped.
# No trailing newline, so a reader that does not strip one still gets the exact value.
random_hex() { openssl rand -hex "$1" | tr -d '\n'; }

created=()
# new NAME MODE COMMAND...: writes COMMAND's output to NAME unless NAME exists.
new() {
  local name=$1 mode=$2
  shift 2
  local path="$dir/$name"
  if [ -e "$path" ]; then
    echo "kept     $path"
    return 0
  fi
  "$@" >"$path.tmp"
  chmod "$mode" "$path.tmp"
  mv "$path.tmp" "$path"
  created+=("$path")
  echo "created  $path"
}

# pgpass NAME DATABASE ROLE PASSWORD_FILE: the libpq password file for the role, from the
# password the database was (or will be) initialised with, so the two always agree.
pgpass() { printf 'postgres:5432:%s:%s:%s\n' "$1" "$2" "$(tr -d '\n' <"$3")"; }

new postgres_password 0444 random_hex 32
new starstats_db_password 0444 random_hex 32
new starstats_db.pgpass 0400 pgpass starstats starstats "$dir/starstats_db_password"
new spicedb_db_password 0444 random_hex 32
new spicedb_db.pgpass 0444 pgpass spicedb spicedb "$dir/spicedb_db_password"
new spicedb_preshared_key 0444 random_hex 32
new jwt_key.pem 0400 openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -quiet
new minio_root_user 0444 random_hex 10
new minio_root_password 0444 random_hex 32
new audit_s3_access_key 0444 random_hex 10
new audit_s3_secret_key 0444 random_hex 32
new grafana_admin_password 0444 random_hex 16
new web_csrf_secret 0444 random_hex 32

for name in jwt_key.pem starstats_db.pgpass; do
  if ! chown "$api_uid" "$dir/$name" 2>/dev/null; then
    echo "error: cannot give $dir/$name to uid $api_uid; run this as root (sudo)" >&2
    exit 1
  fi
done
echo "${#created[@]} secret file(s) created in $dir"
