"""Operational routes: liveness, readiness, metrics, and the public key set."""

from typing import Any, Literal

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

from starstats_server.api.deps import State
from starstats_server.services.health import Check, readiness_checks
from starstats_server.version import __version__

router = APIRouter(tags=["ops"])


class Health(BaseModel):
    status: Literal["ok"]
    version: str


class Readiness(BaseModel):
    status: Literal["ok", "degraded"]
    version: str
    checks: dict[str, Check]


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """Liveness: the process answers."""
    return Health(status="ok", version=__version__)


@router.get(
    "/readyz",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "A configured dependency failed"}},
)
async def readyz(state: State) -> JSONResponse:
    """Readiness: the database (always) and each configured dependency; `skipped` means not
    configured and does not fail readiness."""
    checks = await readiness_checks(state)
    failed = any(value == "fail" for value in checks.values())
    body = Readiness(status="degraded" if failed else "ok", version=__version__, checks=checks)
    return JSONResponse(body.model_dump(), status_code=503 if failed else 200)


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}},
)
async def metrics(state: State) -> Response:
    """Prometheus exposition (unauthenticated, bounded labels only)."""
    return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)


class Jwk(BaseModel):
    kty: str
    use: str
    alg: str
    kid: str
    n: str
    e: str


class Jwks(BaseModel):
    keys: list[Jwk]


@router.get("/.well-known/jwks.json", response_model=Jwks)
async def jwks(state: State) -> dict[str, Any]:
    """The public signing key, so anyone can verify our tokens."""
    return {"keys": [state.tokens.key.jwk()]}


class OpenIdConfiguration(BaseModel):
    issuer: str
    jwks_uri: str
    id_token_signing_alg_values_supported: list[str]
    subject_types_supported: list[str]
    token_endpoint_auth_methods_supported: list[str]
    response_types_supported: list[str]


@router.get("/.well-known/openid-configuration", response_model=OpenIdConfiguration)
async def openid_configuration(state: State) -> OpenIdConfiguration:
    issuer = state.tokens.issuer.rstrip("/")
    return OpenIdConfiguration(
        issuer=state.tokens.issuer,
        jwks_uri=f"{issuer}/.well-known/jwks.json",
        id_token_signing_alg_values_supported=["RS256"],
        subject_types_supported=["public"],
        token_endpoint_auth_methods_supported=["none"],
        response_types_supported=["id_token"],
    )
