"""The OpenAPI document, built from the routes with a throwaway key (no data dir touched)."""

import tempfile
from pathlib import Path
from typing import Any

from starstats_server.settings import Settings


def openapi_document() -> dict[str, Any]:
    """The live OpenAPI 3.1 document; the committed `packages/server/openapi.json` must
    equal it (a test compares them)."""
    from starstats_server.app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), jwt_key_autogen=True, auto_migrate=False)
        return create_app(settings).openapi()
