"""Property-based API testing from our own OpenAPI document (schemathesis): across every
route, no 5xx and no response that breaks the documented schema. Requests go over real HTTP
to uvicorn and carry a valid user token, so generated cases reach past authentication.

One check is off: `positive_data_acceptance`. Business rules the schema does not encode
(an email needs an `@`, a handle its character set, a password 12 bytes) answer 400 with
upstream's stable codes (`invalid_email`, ...), which clients match on; schemathesis would call
that a schema-valid request rejected. Every other default check runs, including
`not_a_server_error`, `response_schema_conformance`, `status_code_conformance` and
`negative_data_rejection`."""

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck
from hypothesis import settings as budget
from pydantic import SecretStr
from schemathesis.core.parameters import ParameterLocation

from starstats_server.openapi import openapi_document
from starstats_server.settings import Settings

# Built at collection from the same document the app serves (the contract test proves they
# are equal); every test sends its cases to its own live server (SQLite or PostgreSQL).
schema = schemathesis.openapi.from_dict(openapi_document())
# The journey reads under /v1/u/{handle} and /v1/public/{handle} run the very handlers of
# /v1/me/journey* behind the sharing check (test_sharing and test_isolation read each of them
# as owner, stranger, share, org and anonymous): their own part is the handle and the check,
# so they get a smaller budget than the routes whose whole code is theirs.
_COPIES = r"^/v1/(u|public)/\{handle\}/journey"
own_routes = schema.exclude(path_regex=_COPIES)
journey_copies = schema.include(path_regex=_COPIES)


@pytest.fixture
def settings(settings: Settings, spicedb: Any) -> Settings:
    """The real SpiceDB behind the server, so sharing and org routes answer for real rather
    than 503 (which schemathesis counts as a server error)."""
    return settings.model_copy(
        update={
            "spicedb_endpoint": spicedb.endpoint,
            "spicedb_preshared_key": SecretStr(spicedb.key),
            "spicedb_timeout_ms": 5000,
        }
    )


@pytest.fixture
def schema_user(make_user: Any) -> Any:
    return make_user("Schema_Pilot")


# One server and one user serve every generated case of an operation, on purpose.
_HEALTH = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture]


@own_routes.parametrize()
@budget(max_examples=30, deadline=None, suppress_health_check=_HEALTH)
def test_api_never_errors_and_honours_its_schema(
    case: Any, app: FastAPI, live_server: Any, schema_user: Any
) -> None:
    _check(case, app, live_server, schema_user)


@journey_copies.parametrize()
@budget(max_examples=8, deadline=None, suppress_health_check=_HEALTH)
def test_shared_journey_reads_never_error_and_honour_the_schema(
    case: Any, app: FastAPI, live_server: Any, schema_user: Any
) -> None:
    _check(case, app, live_server, schema_user)


def _check(case: Any, app: FastAPI, live_server: Any, schema_user: Any) -> None:
    app.state.starstats.limiter.reset()  # rate limits are tested elsewhere; here they'd mask bugs
    # The only header in the schema is the bearer token. A case made negative in its headers
    # is testing a missing or broken token: adding our valid one back would turn it into a
    # valid request that `negative_data_rejection` then reports as "accepted".
    token_under_test = case.meta is not None and case.meta.is_negative_at(ParameterLocation.HEADER)
    case.call_and_validate(
        base_url=live_server.url,
        headers=None if token_under_test else schema_user.headers,
        excluded_checks=[schemathesis.checks.positive_data_acceptance],
    )
