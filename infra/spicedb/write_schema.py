"""Load the authorization schema into SpiceDB: `POST /v1/schema/write` on its HTTP gateway.

The compose stack's one-shot `spicedb-schema` job runs this in the API image (standard library
only) before the API starts. Writing the same schema again is a no-op for SpiceDB; a schema
that removes a relation still in use is refused, and this exits 1 with SpiceDB's message.

Environment: SPICEDB_HTTP_ENDPOINT (default http://spicedb:8443), SPICEDB_PRESHARED_KEY_FILE,
SPICEDB_SCHEMA_FILE (default: schema.zed beside this file), SPICEDB_WAIT_SECONDS (default 60).
"""

import json
import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


def _read_key(path: str) -> str:
    # Only the first line, as the SpiceDB entrypoint reads it, so an editor's trailing
    # newline cannot make the two sides disagree.
    return Path(path).read_text(encoding="utf-8").splitlines()[0].strip()


def write_schema(endpoint: str, key: str, schema: str, wait_seconds: float) -> str:
    """Send `schema`; SpiceDB's answer body. Connection failures are retried until
    `wait_seconds` have passed (the gateway starts a moment after gRPC is healthy)."""
    # S310: the URL is our own setting, and main() accepts only http(s).
    request = urllib.request.Request(  # noqa: S310
        endpoint.rstrip("/") + "/v1/schema/write",
        data=json.dumps({"schema": schema}).encode("utf-8"),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        method="POST",
    )
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (as above)
                return str(response.read().decode("utf-8"))
        except urllib.error.HTTPError:
            raise  # SpiceDB answered: a refused schema or key is final, not retried
        except OSError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(1)


def main() -> int:
    endpoint = os.environ.get("SPICEDB_HTTP_ENDPOINT", "http://spicedb:8443")
    if not endpoint.startswith(("http://", "https://")):
        print(f"write_schema: SPICEDB_HTTP_ENDPOINT must be http(s): {endpoint}", file=sys.stderr)
        return 2
    key_file = os.environ.get("SPICEDB_PRESHARED_KEY_FILE")
    if not key_file:
        print("write_schema: SPICEDB_PRESHARED_KEY_FILE is not set", file=sys.stderr)
        return 2
    schema_file = Path(
        os.environ.get("SPICEDB_SCHEMA_FILE", str(Path(__file__).with_name("schema.zed")))
    )
    try:
        key = _read_key(key_file)
        schema = schema_file.read_text(encoding="utf-8")
    except (OSError, IndexError) as exc:
        print(f"write_schema: cannot read the key or the schema: {exc}", file=sys.stderr)
        return 2
    wait = float(os.environ.get("SPICEDB_WAIT_SECONDS", "60"))
    try:
        answer = write_schema(endpoint, key, schema, wait)
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace")
        print(f"write_schema: SpiceDB refused the schema ({exc.code}): {detail}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"write_schema: SpiceDB unreachable at {endpoint}: {exc}", file=sys.stderr)
        return 1
    print(f"write_schema: {schema_file} written to SpiceDB: {answer}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
