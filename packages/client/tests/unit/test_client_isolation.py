"""The desktop client installs without any server or web library.

CI runs this after `uv sync --package starstats-client` with STARSTATS_CLIENT_ONLY=1; in the
full workspace those libraries are installed, so the check is skipped there.
"""

import importlib.util
import os

import pytest

SERVER_SIDE = ("fastapi", "sqlalchemy", "uvicorn", "starstats_server", "starstats_web")


@pytest.mark.skipif(
    os.environ.get("STARSTATS_CLIENT_ONLY") != "1",
    reason="STARSTATS_CLIENT_ONLY=1 is not set: this is the full workspace, not a client-only "
    "install",
)
@pytest.mark.parametrize("module", SERVER_SIDE)
def test_a_client_only_install_lacks_server_libraries(module: str) -> None:
    assert importlib.util.find_spec(module) is None, f"{module} is installed"


def test_the_client_itself_and_the_core_are_importable() -> None:
    assert importlib.util.find_spec("starstats_client") is not None
    assert importlib.util.find_spec("starstats_core") is not None
