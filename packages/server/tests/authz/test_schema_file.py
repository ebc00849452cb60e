"""schema.zed: the deployed file (infra/spicedb) and the packaged copy the server writes are the
same bytes, SpiceDB accepts it, and it declares everything the code names."""

import re
from pathlib import Path
from typing import Any

import pytest

from starstats_server.authz import memory
from starstats_server.authz.port import ObjectType, Permission, Relation, schema_text

ROOT = Path(__file__).resolve().parents[4]
DEPLOYED = ROOT / "infra" / "spicedb" / "schema.zed"
PACKAGED = ROOT / "packages" / "server" / "src" / "starstats_server" / "authz" / "schema.zed"


def _definitions(schema: str) -> dict[str, str]:
    """Each `definition name { body }` (comments removed)."""
    text = re.sub(r"//[^\n]*|/\*.*?\*/", "", schema, flags=re.DOTALL)
    return dict(re.findall(r"definition\s+(\w+)\s*\{([^}]*)\}", text))


def _relations(body: str) -> dict[str, str]:
    """`relation name: subject types` -> {name: "type | type:*"}."""
    return {
        name: " | ".join(t.strip() for t in types.split("|"))
        for name, types in re.findall(r"relation\s+(\w+)\s*:\s*([^\n]+)", body)
    }


def _permissions(body: str) -> set[str]:
    return set(re.findall(r"permission\s+(\w+)\s*=", body))


def test_the_packaged_copy_is_byte_identical() -> None:
    assert PACKAGED.read_bytes() == DEPLOYED.read_bytes()
    assert schema_text() == DEPLOYED.read_text(encoding="utf-8")


def test_it_declares_every_relation_and_permission_the_code_names() -> None:
    definitions = _definitions(DEPLOYED.read_text(encoding="utf-8"))
    assert set(definitions) == {t.value for t in ObjectType}
    relations = {name for body in definitions.values() for name in _relations(body)}
    permissions = set().union(*(_permissions(body) for body in definitions.values()))
    assert {r.value for r in Relation} <= relations
    assert {p.value for p in Permission} <= permissions
    assert relations <= {r.value for r in Relation}  # nothing the code cannot write
    assert permissions <= {p.value for p in Permission}


def test_the_memory_twin_allows_exactly_the_schemas_relations() -> None:
    definitions = _definitions(DEPLOYED.read_text(encoding="utf-8"))
    declared = {
        (type_, relation): subjects
        for type_, body in definitions.items()
        for relation, subjects in _relations(body).items()
    }
    twin = {(t.value, r.value): subjects for (t, r), subjects in memory._ALLOWED.items()}
    assert twin == declared


def test_spicedb_accepts_it(fresh_spicedb: Any) -> None:
    import grpc
    from authzed.api.v1 import ReadSchemaRequest, WriteSchemaRequest
    from authzed.api.v1.schema_service_pb2_grpc import SchemaServiceStub

    metadata = (("authorization", f"Bearer {fresh_spicedb.key}"),)
    with grpc.insecure_channel(fresh_spicedb.endpoint) as channel:
        stub = SchemaServiceStub(channel)
        with_no_schema = None
        try:
            stub.ReadSchema(ReadSchemaRequest(), metadata=metadata, timeout=10)
        except grpc.RpcError as exc:
            with_no_schema = exc.code()
        assert with_no_schema is grpc.StatusCode.NOT_FOUND
        stub.WriteSchema(
            WriteSchemaRequest(schema=DEPLOYED.read_text(encoding="utf-8")),
            metadata=metadata,
            timeout=10,
        )
        stored = stub.ReadSchema(ReadSchemaRequest(), metadata=metadata, timeout=10).schema_text
    # SpiceDB stores its own rendering (no comments, its own order): compare what it declares.
    ours = _definitions(DEPLOYED.read_text(encoding="utf-8"))
    theirs = _definitions(stored)
    assert set(theirs) == set(ours)
    for name, body in ours.items():
        assert _relations(theirs[name]) == _relations(body)
        assert _permissions(theirs[name]) == _permissions(body)


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        (
            "definition user {}\ndefinition stats_record { relation owner: user }",
            "INVALID_ARGUMENT",
        ),
        (
            "definition user {}\ndefinition stats_record {\n relation owner: nobody\n}",
            "FAILED_PRECONDITION",
        ),
    ],
    ids=["parse error", "unknown type"],
)
def test_spicedb_refuses_a_broken_schema(fresh_spicedb: Any, schema: str, expected: str) -> None:
    import grpc
    from authzed.api.v1 import WriteSchemaRequest
    from authzed.api.v1.schema_service_pb2_grpc import SchemaServiceStub

    metadata = (("authorization", f"Bearer {fresh_spicedb.key}"),)
    with grpc.insecure_channel(fresh_spicedb.endpoint) as channel:
        code = None
        try:
            SchemaServiceStub(channel).WriteSchema(
                WriteSchemaRequest(schema=schema), metadata=metadata, timeout=10
            )
        except grpc.RpcError as exc:
            code = exc.code()
    assert code is getattr(grpc.StatusCode, expected)
