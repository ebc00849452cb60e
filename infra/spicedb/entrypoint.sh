# Run by BusyBox sh (see Containerfile): spicedb with SPICEDB_GRPC_PRESHARED_KEY read from the
# file named by SPICEDB_GRPC_PRESHARED_KEY_FILE. Everything else is passed through.
set -eu
if [ -n "${SPICEDB_GRPC_PRESHARED_KEY_FILE:-}" ]; then
  if [ ! -s "$SPICEDB_GRPC_PRESHARED_KEY_FILE" ]; then
    echo "spicedb-entrypoint: $SPICEDB_GRPC_PRESHARED_KEY_FILE is missing or empty" >&2
    exit 2
  fi
  # `read` drops the trailing newline an editor may have added; the API must send the
  # same key, and it reads the same file.
  IFS= read -r SPICEDB_GRPC_PRESHARED_KEY <"$SPICEDB_GRPC_PRESHARED_KEY_FILE" || true
  export SPICEDB_GRPC_PRESHARED_KEY
  unset SPICEDB_GRPC_PRESHARED_KEY_FILE
fi
exec spicedb "$@"
