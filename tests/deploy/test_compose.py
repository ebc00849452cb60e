"""deploy/compose.yaml, checked offline (no Docker here): every service of the stack is
present, long-running ones have healthchecks, start-up order is consistent, every file it
mounts or builds from exists, and secrets are files — never environment values."""

import os
import re
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"

# The stack: PostgreSQL, SpiceDB (+ its migration), MinIO (+ the Object-Lock bucket
# job), the collector, Loki, Tempo, Prometheus, Grafana, the API and the web app; plus the
# edge proxy that the horizontal scaling in docs/operations.md relies on.
REQUIRED_SERVICES = {
    "postgres",
    "spicedb",
    "spicedb-migrate",
    "spicedb-schema",
    "minio",
    "minio-init",
    "otel-collector",
    "loki",
    "tempo",
    "prometheus",
    "grafana",
    "api",
    "api-migrate",
    "web",
    "edge",
}

ONE_SHOT = "no"
LONG_RUNNING = {"unless-stopped", "always"}


def _depends_on(service: dict[str, Any]) -> dict[str, str]:
    """depends_on as {service: condition}; the short (list) form means service_started."""
    raw = service.get("depends_on", {})
    if isinstance(raw, list):
        return dict.fromkeys(raw, "service_started")
    return {name: spec.get("condition", "service_started") for name, spec in raw.items()}


def _is_one_shot(service: dict[str, Any]) -> bool:
    return service.get("restart") == ONE_SHOT


def _bind_sources(service: dict[str, Any]) -> list[str]:
    """Host paths of bind mounts (short `src:dst[:mode]` and long `type: bind` forms)."""
    sources = []
    for volume in service.get("volumes", []):
        if isinstance(volume, str):
            source = volume.split(":", 1)[0]
            if source.startswith((".", "/")):  # otherwise a named volume
                sources.append(source)
        elif volume.get("type") == "bind":
            sources.append(volume["source"])
    return sources


def _secret_mounts(service: dict[str, Any]) -> dict[str, str]:
    """{path in the container: secret} for the short and the long (source/target) forms."""
    mounts = {}
    for item in service.get("secrets", []):
        if isinstance(item, str):
            mounts[f"/run/secrets/{item}"] = item
        else:
            target = item.get("target", item["source"])
            path = target if target.startswith("/") else f"/run/secrets/{target}"
            mounts[path] = item["source"]
    return mounts


def _environment(service: dict[str, Any]) -> dict[str, str]:
    raw = service.get("environment", {})
    if isinstance(raw, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in raw)
    return {key: "" if value is None else str(value) for key, value in raw.items()}


def test_the_compose_file_has_every_service_of_the_stack(services: dict[str, Any]) -> None:
    missing = REQUIRED_SERVICES - set(services)
    assert not missing, f"services missing from deploy/compose.yaml: {sorted(missing)}"


def test_every_service_is_either_long_running_or_a_one_shot_job(services: dict[str, Any]) -> None:
    # The restart policy is what tells the two apart for compose (and for the checks below):
    # a job with `unless-stopped` would be restarted forever after it finished.
    for name, service in services.items():
        restart = service.get("restart")
        assert restart == ONE_SHOT or restart in LONG_RUNNING, (
            f"{name}: restart must be 'no' (a job) or unless-stopped/always, not {restart!r}"
        )


def test_every_long_running_service_has_a_healthcheck(services: dict[str, Any]) -> None:
    for name, service in services.items():
        if _is_one_shot(service):
            continue
        check = service.get("healthcheck")
        assert check, f"{name} runs for good but has no healthcheck"
        assert not check.get("disable"), f"{name}: healthcheck disabled"
        test = check.get("test")
        assert isinstance(test, list), f"{name}: healthcheck test must be an exec list"
        assert test[0] in ("CMD", "CMD-SHELL"), f"{name}: healthcheck test starts with {test[0]}"
        assert len(test) > 1, f"{name}: empty healthcheck command"


def test_start_order_names_real_services_with_conditions_they_can_meet(
    services: dict[str, Any],
) -> None:
    for name, service in services.items():
        for target, condition in _depends_on(service).items():
            assert target in services, f"{name} depends on unknown service {target}"
            target_service = services[target]
            if condition == "service_healthy":
                # Compose waits forever for a health state a service without a check never gets.
                assert target_service.get("healthcheck"), (
                    f"{name} waits for {target} to be healthy, but {target} has no healthcheck"
                )
            elif condition == "service_completed_successfully":
                assert _is_one_shot(target_service), (
                    f"{name} waits for {target} to complete, but {target} never exits"
                )
            else:
                assert condition == "service_started", f"{name} -> {target}: {condition}"
            if _is_one_shot(target_service):
                assert condition == "service_completed_successfully", (
                    f"{name} must wait for job {target} to complete, not {condition}"
                )


def test_start_order_has_no_cycle(services: dict[str, Any]) -> None:
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == "done":
            return
        assert state.get(name) != "visiting", f"depends_on cycle: {' -> '.join([*path, name])}"
        state[name] = "visiting"
        for target in _depends_on(services[name]):
            visit(target, [*path, name])
        state[name] = "done"

    for name in services:
        visit(name, [])


def test_the_api_starts_only_after_its_jobs_and_database(services: dict[str, Any]) -> None:
    # Migrations, the SpiceDB schema and the Object-Lock bucket must exist before the first
    # request; without these edges compose would start the API in parallel with its jobs.
    depends = _depends_on(services["api"])
    for job in ("api-migrate", "spicedb-schema", "minio-init"):
        assert depends.get(job) == "service_completed_successfully", f"api must wait for {job}"
    assert depends.get("postgres") == "service_healthy"


def test_every_mounted_or_built_file_exists(services: dict[str, Any]) -> None:
    for name, service in services.items():
        paths = [(DEPLOY / source).resolve() for source in _bind_sources(service)]
        build = service.get("build")
        if build:
            context = (DEPLOY / build["context"]).resolve()
            paths += [context, context / build.get("dockerfile", "Dockerfile")]
        for path in paths:
            relative = path.relative_to(REPO).as_posix()
            assert path.exists(), f"{name} needs {relative}, which is not in the repository"


def test_secrets_are_operator_files_outside_git(compose: dict[str, Any], repo: Path) -> None:
    secrets = compose["secrets"]
    readme = (DEPLOY / "secrets" / "README.md").read_text(encoding="utf-8")
    for name, spec in secrets.items():
        path = (DEPLOY / spec["file"]).resolve()
        assert path.parent == DEPLOY / "secrets", f"secret {name} lives outside deploy/secrets/"
        relative = path.relative_to(repo).as_posix()
        # git check-ignore exits 0 when the path is ignored (it need not exist).
        ignored = subprocess.run(
            ["git", "check-ignore", "-q", relative], cwd=repo, check=False
        ).returncode
        assert ignored == 0, f"{relative} (secret {name}) is not ignored by git"
        assert f"`{path.name}`" in readme, f"{path.name} is not documented in the secrets README"
        assert f"`{name}`" in readme, f"secret {name} is not named in the secrets README"
    readme_ignored = subprocess.run(
        ["git", "check-ignore", "-q", "deploy/secrets/README.md"], cwd=repo, check=False
    ).returncode
    assert readme_ignored == 1, "deploy/secrets/README.md must stay committed"


def test_services_mount_only_declared_secrets_and_point_file_variables_at_them(
    compose: dict[str, Any], services: dict[str, Any]
) -> None:
    declared = set(compose["secrets"])
    for name, service in services.items():
        mounts = _secret_mounts(service)
        undeclared = set(mounts.values()) - declared
        assert not undeclared, f"{name} mounts undeclared secrets {undeclared}"
        for variable, value in _environment(service).items():
            if value.startswith("/run/secrets/"):
                assert value in mounts, f"{name}: {variable} points at {value}, not mounted there"


def test_every_web_replica_reads_the_same_csrf_secret(services: dict[str, Any]) -> None:
    # The web app signs CSRF tokens with <STARSTATS_WEB_DATA_DIR>/csrf-secret and creates a
    # random one there when it is missing: without the shared secret mounted at exactly that
    # path, each replica would refuse the forms the others served.
    web = services["web"]
    csrf = (REPO / "packages/web/src/starstats_web/csrf.py").read_text(encoding="utf-8")
    file_name = re.search(r'^KEY_FILE_NAME = "([^"]+)"', csrf, re.MULTILINE)
    assert file_name, "csrf.py no longer names its secret file KEY_FILE_NAME"
    path = f"{_environment(web)['STARSTATS_WEB_DATA_DIR']}/{file_name[1]}"
    assert _secret_mounts(web).get(path) == "web_csrf_secret", f"nothing mounted at {path}"


# Names that say "this is a secret"; such a variable must be a *_FILE pointing at a mounted
# file, never the value itself.
_SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|PRESHARED|PRIVATE|_KEY$|ACCESS_KEY|CREDENTIAL")
_URL_WITH_PASSWORD = re.compile(r"://[^/@\s:]+:[^/@\s]+@")


def test_no_secret_is_an_environment_value(services: dict[str, Any]) -> None:
    for name, service in services.items():
        for variable, value in _environment(service).items():
            if _SECRET_NAME.search(variable) and not variable.endswith("_FILE"):
                assert value == "", f"{name}: {variable} carries a secret value in compose"
            assert not _URL_WITH_PASSWORD.search(value), (
                f"{name}: {variable} has a password in a URL; use a file (PGPASSFILE...)"
            )
            assert not re.fullmatch(r"[0-9a-fA-F]{32,}", value), (
                f"{name}: {variable} looks like a literal key"
            )


def test_every_required_setting_is_in_the_env_example() -> None:
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    code = "\n".join(line.split("#", 1)[0] for line in text.splitlines())  # without comments
    # Compose interpolates every `$`: a literal one must be written `$$`.
    assert not re.search(r"\$(?![{$])", code.replace("$$", "")), "unescaped $ in compose.yaml"
    used = set(re.findall(r"\$\{([A-Z0-9_]+)(?::?[-?][^}]*)?\}", text))
    example = (DEPLOY / ".env.example").read_text(encoding="utf-8")
    defined = dict(re.findall(r"^([A-Z0-9_]+)=(.*)$", example, re.MULTILINE))
    assert used - set(defined) == set(), f"not in deploy/.env.example: {used - set(defined)}"
    for variable, value in defined.items():
        # The example is committed: it may hold host names and defaults, never a secret.
        assert not _SECRET_NAME.search(variable), f".env.example sets secret-like {variable}"
        assert not _URL_WITH_PASSWORD.search(value), f".env.example: {variable} has a password"


def test_only_the_edge_is_published_beyond_loopback(services: dict[str, Any]) -> None:
    # Everything else (metrics, Grafana, Prometheus, the collector) is for this host only.
    for name, service in services.items():
        for port in service.get("ports", []):
            published = str(port)
            if name == "edge":
                continue
            assert published.startswith("127.0.0.1:"), f"{name} publishes {published} publicly"


def test_app_logs_reach_the_collector(services: dict[str, Any]) -> None:
    collector = yaml.safe_load((REPO / "infra/otel-collector/config.yaml").read_text("utf-8"))
    forward_port = collector["receivers"]["fluentforward"]["endpoint"].rsplit(":", 1)[1]
    assert "fluentforward" in collector["service"]["pipelines"]["logs"]["receivers"]
    published = {str(port) for port in services["otel-collector"].get("ports", [])}
    for name in ("api", "web"):
        logging = services[name]["logging"]
        assert logging["driver"] == "fluentd", f"{name} logs do not go to the collector"
        address = logging["options"]["fluentd-address"]
        host_port = address.removeprefix("tcp://")
        # The Docker daemon dials this from the host, so the collector must publish it there.
        assert f"{host_port}:{forward_port}" in published, f"{address} is not published"
        assert logging["options"]["tag"] == services[name]["environment"]["OTEL_SERVICE_NAME"]


def test_make_secrets_creates_exactly_the_mounted_files(
    compose: dict[str, Any], tmp_path: Path
) -> None:
    target = tmp_path / "secrets"
    # The API uid is ours here, so the script's chown works without root.
    env = {**os.environ, "STARSTATS_API_UID": str(os.getuid())}
    script = DEPLOY / "make-secrets.sh"
    subprocess.run(["bash", str(script), str(target)], env=env, check=True, capture_output=True)
    expected = {Path(spec["file"]).name for spec in compose["secrets"].values()}
    assert {path.name for path in target.iterdir()} == expected
    assert stat.S_IMODE(target.stat().st_mode) == 0o700
    for private in ("jwt_key.pem", "starstats_db.pgpass"):
        # asyncpg ignores a password file that group or others can read.
        assert stat.S_IMODE((target / private).stat().st_mode) == 0o400, private
    for role in ("starstats", "spicedb"):
        password = (target / f"{role}_db_password").read_text(encoding="utf-8")
        assert password == password.strip()  # no newline: readers need not strip
        assert len(password) == 64
        pgpass = (target / f"{role}_db.pgpass").read_text(encoding="utf-8")
        assert pgpass == f"postgres:5432:{role}:{role}:{password}\n"
    key = (target / "jwt_key.pem").read_text(encoding="utf-8")
    assert key.startswith("-----BEGIN PRIVATE KEY-----")
    before = {path.name: path.read_bytes() for path in target.iterdir()}
    subprocess.run(["bash", str(script), str(target)], env=env, check=True, capture_output=True)
    after = {path.name: path.read_bytes() for path in target.iterdir()}
    assert after == before, "a second run must keep every existing secret"


@pytest.mark.parametrize(
    ("script", "shell"),
    [
        ("infra/postgres/initdb/10-starstats-roles.sh", "bash"),
        ("infra/minio/init-audit-bucket.sh", "sh"),
        ("infra/spicedb/entrypoint.sh", "sh"),
        ("deploy/make-secrets.sh", "bash"),
    ],
)
def test_shell_scripts_parse(script: str, shell: str) -> None:
    result = subprocess.run(
        [shell, "-n", str(REPO / script)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
