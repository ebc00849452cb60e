"""Regenerates `api_models.py` from the server's committed OpenAPI document with
datamodel-code-generator (a dev tool), then ruff, so the output is exactly what CI checks.

    uv run python -m starstats_web.codegen            # rewrite api_models.py
    uv run python -m starstats_web.codegen --check    # exit 1 when it is out of date
"""

import argparse
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
REPO = PACKAGE.parents[3]
SPEC = REPO / "packages" / "server" / "openapi.json"
MODELS = PACKAGE / "api_models.py"

HEADER = '''"""Request and response models of the StarStats API. GENERATED, do not edit: regenerate
with `uv run python -m starstats_web.codegen` from packages/server/openapi.json
(datamodel-code-generator + ruff); a test fails when this file differs from its output."""'''

_OPTIONS = [
    "--input-file-type",
    "openapi",
    "--output-model-type",
    "pydantic_v2.BaseModel",
    "--target-python-version",
    "3.11",
    "--use-annotated",
    "--use-standard-collections",
    "--use-union-operator",
    "--field-constraints",
    "--collapse-root-models",
    "--use-double-quotes",
    "--use-schema-description",
    "--use-field-description",
    "--disable-timestamp",
    # An enum field's default as the enum's member (`role: Role | None = Role.member`), which
    # type-checks, where the bare value "member" does not. The generator's own model order
    # (each model after the ones it uses) is kept for it: such a default is evaluated when the
    # class is created, so the enum must come first.
    "--deserialize-default-values",
    "enum",
]


def _run(command: list[str], stdin: str | None = None) -> str:
    done = subprocess.run(  # noqa: S603 - our interpreter running dev tools on our own files
        command, input=stdin, capture_output=True, text=True, cwd=REPO, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"error: {' '.join(command[:4])} failed:\n{done.stderr.strip()}")
    return done.stdout


def _wrap_docstrings(text: str, width: int = 100) -> str:
    """Field descriptions become docstrings; ruff's formatter leaves their long lines alone,
    so they are wrapped here (the lint's line length applies to the generated module too)."""
    out: list[str] = []
    inside = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped == '"""':
            inside = not inside
        elif inside and len(line) > width:
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(
                textwrap.wrap(stripped, width, initial_indent=indent, subsequent_indent=indent)
            )
            continue
        out.append(line)
    return "\n".join(out) + "\n"


def generate(spec: Path = SPEC) -> str:
    """The text `api_models.py` should hold for `spec`."""
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "api_models.py"
        _run(
            [
                sys.executable,
                "-m",
                "datamodel_code_generator",
                "--input",
                str(spec),
                "--output",
                str(raw),
                "--custom-file-header",
                HEADER,
                *_OPTIONS,
            ]
        )
        text = _wrap_docstrings(raw.read_text(encoding="utf-8"))
    # ruff reads the repository's configuration for the committed file's path, so the text
    # matches what `ruff check` and `ruff format --check` expect of it wherever it is written.
    as_if = ["--stdin-filename", str(MODELS)]
    ruff = [sys.executable, "-m", "ruff"]
    fixed = _run([*ruff, "check", "--fix-only", "--exit-zero", "--quiet", *as_if], text)
    return _run([*ruff, "format", "--quiet", *as_if], fixed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=SPEC, help="the OpenAPI document")
    parser.add_argument("--output", type=Path, default=MODELS, help="where to write")
    parser.add_argument("--check", action="store_true", help="exit 1 if --output is stale")
    opts = parser.parse_args(argv)
    text = generate(opts.spec)
    current = opts.output.read_text(encoding="utf-8") if opts.output.exists() else None
    if opts.check:
        if current != text:
            print(f"{opts.output} is out of date: run python -m starstats_web.codegen")
            return 1
        return 0
    if current != text:
        opts.output.write_text(text, encoding="utf-8")
        print(f"wrote {opts.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
