"""The committed OpenAPI document (`packages/server/openapi.json`) is the contract clients
and the web app build against; it must equal what the code serves."""

import json
from pathlib import Path
from typing import Any

import pytest

from starstats_server.openapi import openapi_document

COMMITTED = Path(__file__).resolve().parents[2] / "openapi.json"
REGENERATE = "uv run starstats-server openapi > packages/server/openapi.json"


@pytest.fixture(scope="module")
def live() -> dict[str, Any]:
    return openapi_document()


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]


def test_the_committed_spec_equals_the_live_one(live: dict[str, Any]) -> None:
    committed = json.loads(COMMITTED.read_text())
    assert committed == live, f"the API changed; review the diff and run: {REGENERATE}"


def test_the_spec_is_openapi_3_1(live: dict[str, Any]) -> None:
    assert live["openapi"].startswith("3.1.")
    assert live["info"]["title"] == "StarStats API"


def test_every_authenticated_route_documents_401(live: dict[str, Any]) -> None:
    for path, method, op in _operations(live):
        if op.get("security"):
            assert "401" in op["responses"], f"{method.upper()} {path} does not document 401"


def test_every_route_with_input_documents_422_as_an_error_body(live: dict[str, Any]) -> None:
    for path, method, op in _operations(live):
        if op.get("parameters") or op.get("requestBody"):
            response = op["responses"].get("422")
            assert response, f"{method.upper()} {path} does not document 422"
            ref = response["content"]["application/json"]["schema"]["$ref"]
            assert ref.endswith("/ErrorBody"), f"{method.upper()} {path}: 422 is not ErrorBody"


def test_every_documented_client_error_uses_the_error_body(live: dict[str, Any]) -> None:
    for path, method, op in _operations(live):
        for status, response in op["responses"].items():
            if status.startswith("4"):
                schema = response["content"]["application/json"]["schema"]
                assert schema["$ref"].endswith("/ErrorBody"), f"{method.upper()} {path} {status}"
