"""A database that cannot be reached makes requests 503 with Retry-After (clients back off),
never a 500 or a traceback."""

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient

from starstats_server.app import create_app
from starstats_server.settings import Settings


def test_an_unreachable_database_answers_503_with_retry_after(
    tmp_path: Path, free_port: Callable[[], int]
) -> None:
    settings = Settings(
        data_dir=tmp_path,
        database_url=f"postgresql://postgres@127.0.0.1:{free_port()}/none",
        jwt_key_autogen=True,
        auto_migrate=False,
    )
    app_ = create_app(settings)
    token, _ = app_.state.starstats.tokens.mint(uuid.uuid4(), "Pilot", datetime.now(UTC))
    with TestClient(app_) as client:
        response = client.get("/v1/me/summary", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 503
        assert response.headers["retry-after"] == "5"
        assert response.json()["error"] == "database_unavailable"
        assert client.get("/readyz").status_code == 503
