"""The stack's small programs, run for real: the SpiceDB schema loader against an HTTP server
standing in for SpiceDB's gateway, the SpiceDB entrypoint against a stand-in binary, and the
PostgreSQL init script against a throwaway PostgreSQL with password authentication, logged
into the way the API does (asyncpg, password from PGPASSFILE)."""

import asyncio
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
WRITE_SCHEMA = REPO / "infra" / "spicedb" / "write_schema.py"
ENTRYPOINT = REPO / "infra" / "spicedb" / "entrypoint.sh"
INIT_ROLES = REPO / "infra" / "postgres" / "initdb" / "10-starstats-roles.sh"
PG_SCRIPT = REPO / "scripts" / "pg.sh"


@dataclass
class FakeGateway:
    """Answers POST /v1/schema/write with `status` and `body`; keeps what it received."""

    status: int = 200
    body: dict[str, Any] = field(default_factory=lambda: {"writtenAt": {"token": "GhUKEzE2"}})
    received: list[tuple[str, dict[str, str], dict[str, Any]]] = field(default_factory=list)


@pytest.fixture
def gateway() -> Iterator[tuple[FakeGateway, str]]:
    fake = FakeGateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            payload = json.loads(self.rfile.read(length))
            fake.received.append((self.path, dict(self.headers), payload))
            answer = json.dumps(fake.body).encode()
            self.send_response(fake.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def _write_schema(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(WRITE_SCHEMA)],
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def schema_files(tmp_path: Path) -> dict[str, str]:
    key = tmp_path / "spicedb_preshared_key"
    key.write_text("s3cret-key\n", encoding="utf-8")  # an editor's newline must not count
    schema = tmp_path / "schema.zed"
    schema.write_text('definition user {}\n\ndefinition "x" {}\n', encoding="utf-8")
    return {"SPICEDB_PRESHARED_KEY_FILE": str(key), "SPICEDB_SCHEMA_FILE": str(schema)}


def test_the_schema_loader_sends_the_schema_with_the_preshared_key(
    gateway: tuple[FakeGateway, str], schema_files: dict[str, str]
) -> None:
    fake, url = gateway
    result = _write_schema({**schema_files, "SPICEDB_HTTP_ENDPOINT": url})
    assert result.returncode == 0, result.stderr
    ((path, headers, payload),) = fake.received
    assert path == "/v1/schema/write"
    assert headers["Authorization"] == "Bearer s3cret-key"
    assert payload == {"schema": Path(schema_files["SPICEDB_SCHEMA_FILE"]).read_text("utf-8")}


def test_a_refused_schema_fails_the_job_with_spicedbs_message(
    gateway: tuple[FakeGateway, str], schema_files: dict[str, str]
) -> None:
    fake, url = gateway
    fake.status = 400
    fake.body = {"code": 3, "message": "relation `viewer` still has relationships"}
    result = _write_schema({**schema_files, "SPICEDB_HTTP_ENDPOINT": url})
    assert result.returncode == 1
    assert "still has relationships" in result.stderr
    assert len(fake.received) == 1, "a refusal is final, not retried"


def test_an_unreachable_spicedb_fails_the_job_after_waiting(
    schema_files: dict[str, str], free_port: Any
) -> None:
    result = _write_schema(
        {
            **schema_files,
            "SPICEDB_HTTP_ENDPOINT": f"http://127.0.0.1:{free_port()}",
            "SPICEDB_WAIT_SECONDS": "1",
        }
    )
    assert result.returncode == 1
    assert "unreachable" in result.stderr


def test_a_missing_schema_file_fails_the_job(schema_files: dict[str, str]) -> None:
    result = _write_schema({**schema_files, "SPICEDB_SCHEMA_FILE": "/nonexistent/schema.zed"})
    assert result.returncode == 2
    assert "cannot read" in result.stderr


@pytest.fixture
def fake_spicedb(tmp_path: Path) -> dict[str, str]:
    """A `spicedb` on PATH that prints what the real one would receive."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "spicedb"
    fake.write_text(
        "#!/bin/sh\n"
        'printf "key=%s\\n" "$SPICEDB_GRPC_PRESHARED_KEY"\n'
        'printf "file=%s\\n" "${SPICEDB_GRPC_PRESHARED_KEY_FILE-unset}"\n'
        'printf "arg=%s\\n" "$@"\n',
        encoding="utf-8",
    )
    fake.chmod(0o755)
    return {"PATH": f"{bin_dir}:{os.environ['PATH']}"}


def test_the_spicedb_entrypoint_passes_the_key_from_its_file(
    fake_spicedb: dict[str, str], tmp_path: Path
) -> None:
    key = tmp_path / "key"
    key.write_text("k3y with spaces\n", encoding="utf-8")
    result = subprocess.run(
        ["sh", str(ENTRYPOINT), "serve", "--http-enabled"],
        env={**fake_spicedb, "SPICEDB_GRPC_PRESHARED_KEY_FILE": str(key)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "key=k3y with spaces",
        "file=unset",  # the path is not passed on: SpiceDB would reject an unknown setting
        "arg=serve",
        "arg=--http-enabled",
    ]


def test_the_spicedb_entrypoint_refuses_an_empty_key_file(
    fake_spicedb: dict[str, str], tmp_path: Path
) -> None:
    key = tmp_path / "key"
    key.write_text("", encoding="utf-8")
    result = subprocess.run(
        ["sh", str(ENTRYPOINT), "serve"],
        env={**fake_spicedb, "SPICEDB_GRPC_PRESHARED_KEY_FILE": str(key)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "missing or empty" in result.stderr


def test_the_spicedb_entrypoint_runs_jobs_without_a_key(fake_spicedb: dict[str, str]) -> None:
    # spicedb-migrate has no key: the entrypoint must pass straight through.
    result = subprocess.run(
        ["sh", str(ENTRYPOINT), "datastore", "migrate", "head"],
        env=fake_spicedb,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[2:] == ["arg=datastore", "arg=migrate", "arg=head"]


# -- PostgreSQL ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cluster:
    directory: Path
    port: int


@pytest.fixture(scope="module")
def password_cluster() -> Iterator[Cluster]:
    """A throwaway PostgreSQL where everyone but `postgres` logs in with a password
    (scram-sha-256), as in the postgres image; the shared test cluster trusts everyone and
    would accept any password."""
    if os.environ.get("STARSTATS_TEST_SKIP_POSTGRES") == "1":
        pytest.skip("STARSTATS_TEST_SKIP_POSTGRES=1: PostgreSQL half skipped")
    result = subprocess.run(
        ["bash", str(PG_SCRIPT), "up"], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        pytest.fail(f"could not start PostgreSQL via scripts/pg.sh: {result.stderr.strip()}")
    directory, url = result.stdout.split()
    port = int(url.rsplit(":", 1)[1].split("/", 1)[0])
    hba = Path(directory) / "data" / "pg_hba.conf"
    hba.write_text(
        "host all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n",
        encoding="utf-8",
    )
    subprocess.run(
        ["psql", url, "-qAtc", "SELECT pg_reload_conf()"], check=True, capture_output=True
    )
    yield Cluster(Path(directory), port)
    subprocess.run(["bash", str(PG_SCRIPT), "down", directory], check=False)


async def _whoami(port: int, user: str, database: str) -> str:
    import asyncpg

    # As the API connects: no password given, asyncpg reads the file PGPASSFILE names.
    connection = await asyncpg.connect(host="127.0.0.1", port=port, user=user, database=database)
    try:
        return str(await connection.fetchval("SELECT current_user || '@' || current_database()"))
    finally:
        await connection.close()


def test_the_init_script_makes_password_roles_that_own_only_their_database(
    password_cluster: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncpg

    # Quotes, a dollar and a semicolon: psql's :'password' must quote them, not run them.
    passwords = {"starstats": 'it\'s "a" $HOME; DROP ROLE x --', "spicedb": "sp1ce db"}
    env = {
        "PATH": os.environ["PATH"],
        "POSTGRES_USER": "postgres",
        "PGHOST": "127.0.0.1",
        "PGPORT": str(password_cluster.port),
    }
    for role, password in passwords.items():
        path = tmp_path / f"{role}_db_password"
        path.write_text(password, encoding="utf-8")
        env[f"{role.upper()}_DB_PASSWORD_FILE"] = str(path)
    result = subprocess.run(
        ["bash", str(INIT_ROLES)], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr

    port = password_cluster.port
    passfile = tmp_path / "pgpass"
    passfile.write_text(
        "".join(f"127.0.0.1:{port}:*:{role}:{pw}\n" for role, pw in passwords.items()),
        encoding="utf-8",
    )
    passfile.chmod(0o600)  # asyncpg ignores a password file others may read
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    for role in passwords:
        assert asyncio.run(_whoami(port, role, role)) == f"{role}@{role}"
    # REVOKE ... FROM PUBLIC: SpiceDB's role cannot even connect to the API's database.
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        asyncio.run(_whoami(port, "spicedb", "starstats"))
    # And a wrong password is refused: the roles really use passwords.
    passfile.write_text(f"127.0.0.1:{port}:*:starstats:wrong\n", encoding="utf-8")
    with pytest.raises(asyncpg.InvalidPasswordError):
        asyncio.run(_whoami(port, "starstats", "starstats"))
