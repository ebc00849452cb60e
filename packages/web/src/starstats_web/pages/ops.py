"""Operational routes: liveness, readiness (the API answers) and Prometheus metrics."""

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

from starstats_web.errors import ApiError, ApiUnavailable
from starstats_web.pages.deps import State
from starstats_web.session import session_token
from starstats_web.version import __version__

router = APIRouter()


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    version: str


@router.get("/")
async def home(request: Request) -> Response:
    target = "/dashboard" if session_token(request) else "/auth/login"
    return RedirectResponse(target, status_code=303)


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """Liveness: the web server answers (the API may not)."""
    return Health(status="ok", version=__version__)


@router.get("/readyz", response_model=Health)
async def readyz(state: State) -> JSONResponse:
    """Readiness: 503 while the API does not answer its own `/healthz`."""
    try:
        await state.api.health()
    except (ApiUnavailable, ApiError):
        body = Health(status="degraded", version=__version__)
        return JSONResponse(body.model_dump(), status_code=503)
    return JSONResponse(Health(status="ok", version=__version__).model_dump())


@router.get("/api/metrics")
async def metrics(state: State) -> Response:
    """Prometheus text exposition of this app's own registry."""
    return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
