"""Fixtures for the offline checks of the production stack (deploy/, infra/, the
Containerfiles): the repository root, the parsed compose file, alert rules and dashboard, and
promtool, which these tests drive for real."""

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
INFRA = REPO / "infra"


def _load_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def compose() -> dict[str, Any]:
    data = _load_yaml(DEPLOY / "compose.yaml")
    assert isinstance(data, dict), "deploy/compose.yaml is not a mapping"
    return data


@pytest.fixture(scope="session")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return dict(compose["services"])


@pytest.fixture(scope="session")
def promtool() -> str:
    """promtool from Debian's prometheus package. CI installs it
    (scripts/ensure-test-tools.sh), so a missing one fails instead of skipping: a skipped
    config check would let a broken rule file ship."""
    binary = shutil.which("promtool")
    if binary is None:
        pytest.fail("promtool is not installed: sudo apt-get install prometheus")
    return binary


@pytest.fixture(scope="session")
def alert_rules() -> list[dict[str, Any]]:
    groups = _load_yaml(INFRA / "prometheus" / "alerts.yml")["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


@pytest.fixture(scope="session")
def dashboard() -> dict[str, Any]:
    import json

    with (INFRA / "grafana" / "dashboards" / "starstats.json").open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


@pytest.fixture(scope="session")
def panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    """Every panel of the dashboard, including those nested in collapsed rows."""
    found: list[dict[str, Any]] = []
    for panel in dashboard["panels"]:
        found.append(panel)
        found.extend(panel.get("panels", []))
    return found


# Grafana's variables replaced by values PromQL accepts, so that promtool can parse the query
# as Prometheus will receive it. A variable missing here fails the PromQL test rather than
# slipping through unparsed.
GRAFANA_VARIABLES = {
    "$__rate_interval": "5m",
    "$__interval": "1m",
    "$__range": "1h",
    "$job": "starstats-api",
    "$route": ".*",
}


@pytest.fixture(scope="session")
def dashboard_promql(panels: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(panel title / refId, PromQL with Grafana variables substituted) for every target
    whose data source is Prometheus."""
    queries = []
    for panel in panels:
        for target in panel.get("targets", []):
            source = target.get("datasource") or panel.get("datasource") or {}
            if source.get("type") != "prometheus":
                continue
            expr = target["expr"]
            for name in sorted(GRAFANA_VARIABLES, key=len, reverse=True):
                expr = expr.replace(name, GRAFANA_VARIABLES[name])
            queries.append((f"{panel['title']} / {target['refId']}", expr))
    return queries
