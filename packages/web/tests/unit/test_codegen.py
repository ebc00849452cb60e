"""The committed API models are exactly what the generator makes of the committed OpenAPI
document: regenerating into a temporary folder must reproduce them byte for byte."""

import subprocess
import sys
from pathlib import Path

from starstats_web import codegen


def test_the_committed_models_match_the_openapi_document(tmp_path: Path) -> None:
    target = tmp_path / "api_models.py"
    done = subprocess.run(
        [sys.executable, "-m", "starstats_web.codegen", "--output", str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    committed = codegen.MODELS.read_text(encoding="utf-8")
    assert target.read_text(encoding="utf-8") == committed, (
        "packages/web/src/starstats_web/api_models.py is stale: "
        "run `uv run python -m starstats_web.codegen`"
    )


def test_the_generated_module_says_it_is_generated_and_how() -> None:
    head = codegen.MODELS.read_text(encoding="utf-8")[:400]
    assert "GENERATED" in head
    assert "python -m starstats_web.codegen" in head
