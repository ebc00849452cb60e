"""The Containerfiles, checked without a container engine: every file they copy exists in
their build context and is not excluded by the ignore file, the application images install
the locked workspace packages they need and run as a non-root user with a healthcheck, and
the ignore files keep secrets out of every build."""

import json
import re
import shlex
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
APP_IMAGES = {"packages/server/Containerfile": 8080, "packages/web/Containerfile": 3000}


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str
    stage: int  # index of the FROM it belongs to


def parse(path: Path) -> list[Instruction]:
    """Instructions with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", path.read_text(encoding="utf-8"))
    instructions: list[Instruction] = []
    stage = -1
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, arguments = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            stage += 1
        instructions.append(Instruction(keyword, arguments.strip(), stage))
    return instructions


def copy_sources(instruction: Instruction) -> list[str]:
    """Sources of a COPY/ADD from the build context ([] for COPY --from=<stage|image>)."""
    words = (
        json.loads(instruction.arguments)
        if instruction.arguments.startswith("[")
        else shlex.split(instruction.arguments)
    )
    flags = [word for word in words if word.startswith("--")]
    if any(flag.startswith("--from=") for flag in flags):
        return []
    paths = [word for word in words if not word.startswith("--")]
    return paths[:-1]


def _pattern(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern (Go filepath.Match plus `**`) as a regular expression."""
    regex = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            regex += "(?:.*/)?"
            i += 3
        elif pattern.startswith("**", i):
            regex += ".*"
            i += 2
        elif pattern[i] == "*":
            regex += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            regex += "[^/]"
            i += 1
        else:
            regex += re.escape(pattern[i])
            i += 1
    return re.compile(regex)


def is_ignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule: the last matching pattern wins, `!` re-includes, and a pattern that
    matches a folder excludes everything in it."""
    parts = path.strip("/").split("/")
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    ignored = False
    for raw in patterns:
        negate = raw.startswith("!")
        regex = _pattern(raw.removeprefix("!").strip("/"))
        if any(regex.fullmatch(candidate) for candidate in candidates):
            ignored = not negate
    return ignored


def ignore_patterns(context: Path) -> list[str]:
    path = context / ".dockerignore"
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _builds() -> dict[str, Path]:
    """Containerfile (relative to the repository) -> its build context, from compose."""
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    builds = {}
    for service in compose["services"].values():
        build = service.get("build")
        if build:
            context = (DEPLOY / build["context"]).resolve()
            containerfile = (context / build["dockerfile"]).relative_to(REPO).as_posix()
            builds[containerfile] = context
    return builds


def _workspace_members() -> dict[str, str]:
    """Distribution name -> folder under packages/."""
    members = {}
    for manifest in sorted((REPO / "packages").glob("*/pyproject.toml")):
        project: dict[str, Any] = tomllib.loads(manifest.read_text(encoding="utf-8"))["project"]
        members[project["name"]] = manifest.parent.name
    return members


def test_every_containerfile_is_built_by_compose() -> None:
    found = {
        path.relative_to(REPO).as_posix()
        for pattern in ("packages/*/Containerfile", "infra/*/Containerfile")
        for path in REPO.glob(pattern)
    }
    assert found == set(_builds()), "a Containerfile is not built by deploy/compose.yaml"
    assert set(APP_IMAGES) <= found


@pytest.mark.parametrize("containerfile", sorted(_builds()))
def test_copied_files_exist_in_the_build_context_and_are_not_ignored(
    containerfile: str,
) -> None:
    context = _builds()[containerfile]
    patterns = ignore_patterns(context)
    copied = [
        source
        for instruction in parse(REPO / containerfile)
        if instruction.keyword in ("COPY", "ADD")
        for source in copy_sources(instruction)
    ]
    assert copied or containerfile.startswith("infra/otel-collector"), "copies nothing?"
    for source in copied:
        assert (context / source).exists(), f"{containerfile}: COPY {source} does not exist"
        assert not is_ignored(source, patterns), f"{containerfile}: {source} is ignored"


def test_the_ignore_files_match_and_keep_secrets_and_local_state_out() -> None:
    containerignore = (REPO / ".containerignore").read_text(encoding="utf-8")
    assert containerignore == (REPO / ".dockerignore").read_text(encoding="utf-8")
    patterns = ignore_patterns(REPO)
    for path in ("deploy/secrets/jwt_key.pem", "deploy/.env", ".venv/bin/python", ".git/HEAD"):
        assert is_ignored(path, patterns), f"{path} would be sent to the image build"
    assert not is_ignored("packages/server/src/starstats_server/app.py", patterns)


def test_the_ignore_matcher_follows_docker_rules() -> None:
    # The two tests above rely on it, so it is checked on its own.
    patterns = ["**/tests", "deploy", "*.pyc", "docs", "!docs/keep.md"]
    assert is_ignored("packages/server/tests/unit/test_x.py", patterns)
    assert is_ignored("deploy/secrets/x", patterns)
    assert is_ignored("a.pyc", patterns)
    assert not is_ignored("pkg/a.pyc", patterns)
    assert not is_ignored("docs/keep.md", patterns)
    assert is_ignored("docs/other.md", patterns)
    assert not is_ignored("packages/server/src/x.py", patterns)


@pytest.mark.parametrize("containerfile", sorted(APP_IMAGES))
def test_app_images_install_the_locked_workspace_packages_they_need(containerfile: str) -> None:
    instructions = parse(REPO / containerfile)
    folder = Path(containerfile).parent
    manifest = tomllib.loads((REPO / folder / "pyproject.toml").read_text(encoding="utf-8"))
    name = manifest["project"]["name"]
    syncs = [i.arguments for i in instructions if i.keyword == "RUN" and "uv sync" in i.arguments]
    assert len(syncs) == 2, "dependencies first, then the workspace packages"
    for sync in syncs:
        # --frozen: exactly uv.lock, no resolution at build time; --no-dev: no test tools.
        for flag in ("--frozen", "--no-dev", f"--package {name}"):
            assert flag in sync, f"{containerfile}: `{sync}` lacks {flag}"
    assert "--no-install-workspace" in syncs[0]
    assert "--no-editable" in syncs[1]

    members = _workspace_members()
    needed = {name} | {
        re.split(r"[<>=!~\[; ]", dependency, maxsplit=1)[0]
        for dependency in manifest["project"]["dependencies"]
    }
    copied = {
        source
        for instruction in instructions
        if instruction.keyword == "COPY"
        for source in copy_sources(instruction)
    }
    for member in needed & set(members):
        folder_name = members[member]
        assert f"packages/{folder_name}" in copied, f"{containerfile} lacks {member}'s code"
        assert f"packages/{folder_name}/pyproject.toml" in copied, f"{member}'s manifest"
    assert {"pyproject.toml", "uv.lock"} <= copied, "the workspace root and its lock"


@pytest.mark.parametrize(("containerfile", "port"), sorted(APP_IMAGES.items()))
def test_app_images_run_as_non_root_with_a_healthcheck(containerfile: str, port: int) -> None:
    instructions = parse(REPO / containerfile)
    last = max(instruction.stage for instruction in instructions)
    runtime = [instruction for instruction in instructions if instruction.stage == last]
    (base,) = [i.arguments for i in runtime if i.keyword == "FROM"]
    arguments = {
        key: value
        for key, _, value in (
            i.arguments.partition("=") for i in instructions if i.keyword == "ARG"
        )
    }
    image = arguments.get(base.split()[0].strip("${}"), base)
    assert re.fullmatch(r"python:3\.1[12]-slim(-\w+)?", image), f"{containerfile}: {image}"

    users = [i.arguments for i in runtime if i.keyword == "USER"]
    assert users, f"{containerfile}: the runtime stage runs as root"
    assert users[-1].split(":")[0] not in ("root", "0"), users[-1]

    (healthcheck,) = [i.arguments for i in runtime if i.keyword == "HEALTHCHECK"]
    assert f"127.0.0.1:{port}/healthz" in healthcheck
    assert f"EXPOSE {port}" in {f"{i.keyword} {i.arguments}" for i in runtime}


@pytest.mark.parametrize("containerfile", sorted(APP_IMAGES))
def test_app_images_start_a_console_script_of_their_package(containerfile: str) -> None:
    folder = Path(containerfile).parent
    manifest = tomllib.loads((REPO / folder / "pyproject.toml").read_text(encoding="utf-8"))
    scripts = manifest["project"].get("scripts", {})
    (entrypoint,) = [i.arguments for i in parse(REPO / containerfile) if i.keyword == "ENTRYPOINT"]
    command = json.loads(entrypoint)[0]
    assert command in scripts, f"{containerfile} runs {command}, not a script of {folder}"
