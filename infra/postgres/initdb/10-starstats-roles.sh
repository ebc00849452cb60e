#!/usr/bin/env bash
# Run once by the postgres image, when the data volume is first initialised
# (/docker-entrypoint-initdb.d): a login role and a database for the API and for SpiceDB,
# each owning only its own database. Passwords come from the secret files; psql variables
# (:'password') quote them, so no password reaches a command line or the server log.
set -euo pipefail

create_owner() {
  local role=$1 database=$2 password_file=$3
  local password
  password=$(<"$password_file")
  psql --no-psqlrc -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    --set=role="$role" --set=database="$database" --set=password="$password" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
CREATE DATABASE :"database" OWNER :"role";
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"database" TO :"role";
SQL
}

create_owner starstats starstats "${STARSTATS_DB_PASSWORD_FILE:?}"
create_owner spicedb spicedb "${SPICEDB_DB_PASSWORD_FILE:?}"
