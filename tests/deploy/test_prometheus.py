"""The shipped Prometheus configuration through promtool itself (config, rules and the rules'
unit tests), every alert documented and tested both ways, and every metric name the rules
and the dashboard use listed in infra/prometheus/metrics.txt — the list a running-server
test checks against the real exposition."""

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
PROMETHEUS = REPO / "infra" / "prometheus"
OPERATIONS = REPO / "docs" / "operations.md"

# Series Prometheus writes itself for every target; no exporter exposes them, so they are not
# in metrics.txt.
SYNTHETIC = {"up"}

_PROMQL_WORDS = {
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "bool",
    "and",
    "or",
    "unless",
    "offset",
    "inf",
    "nan",
}


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects (histogram and summary series by their
    base name). A small lexer, not a parser: strings, label matchers, ranges and grouping
    clauses are blanked, then every identifier that is not a keyword or a function call is
    a metric."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    text = re.sub(r"'(?:[^'\\]|\\.)*'", "''", text)
    text = re.sub(r"\{[^}]*\}", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    text = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    names = set()
    for match in re.finditer(r"(?<![\w.:])[A-Za-z_:][A-Za-z0-9_:]*", text):
        word = match.group()
        if word.lower() in _PROMQL_WORDS or re.match(r"\s*\(", text[match.end() :]):
            continue
        names.add(re.sub(r"_(?:bucket|sum|count)$", "", word))
    return names


def _listed() -> list[str]:
    return (PROMETHEUS / "metrics.txt").read_text(encoding="utf-8").split()


def _rule_expressions() -> list[tuple[str, str]]:
    groups = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text(encoding="utf-8"))["groups"]
    return [
        (rule.get("alert") or rule["record"], rule["expr"])
        for group in groups
        for rule in group["rules"]
    ]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=False)


def test_promtool_accepts_the_config_and_finds_its_rule_files(promtool: str) -> None:
    # From another directory on purpose: rule_files must resolve relative to the config file,
    # as in the container, not to wherever promtool happens to run.
    result = subprocess.run(
        [promtool, "check", "config", str(PROMETHEUS / "prometheus.yml")],
        capture_output=True,
        text=True,
        check=False,
        cwd="/",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 rule files found" in result.stdout


def test_promtool_accepts_the_alert_rules(promtool: str) -> None:
    result = _run(promtool, "check", "rules", str(PROMETHEUS / "alerts.yml"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_unit_tests_of_the_alerts_pass(promtool: str) -> None:
    result = subprocess.run(
        [promtool, "test", "rules", "alerts.test.yml"],
        capture_output=True,
        text=True,
        check=False,
        cwd=PROMETHEUS,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _minutes(duration: str) -> float:
    match = re.fullmatch(r"(\d+)([smh])", duration)
    assert match, f"unexpected duration {duration!r}"
    return int(match[1]) * {"s": 1 / 60, "m": 1, "h": 60}[match[2]]


def test_every_alert_has_a_firing_and_a_quiet_unit_test(alert_rules: list[dict[str, Any]]) -> None:
    tests = yaml.safe_load((PROMETHEUS / "alerts.test.yml").read_text(encoding="utf-8"))
    waits = {rule["alert"]: _minutes(rule.get("for", "0m")) for rule in alert_rules}
    firing: set[str] = set()
    quiet: set[str] = set()
    for case in tests["tests"]:
        for check in case.get("alert_rule_test", []):
            name = check["alertname"]
            if check.get("exp_alerts"):
                firing.add(name)
            # Before `for` has elapsed an alert is at most pending, which promtool reports
            # as "no alerts": that proves nothing about staying quiet.
            elif _minutes(check["eval_time"]) > waits.get(name, 0):
                quiet.add(name)
    names = set(waits)
    assert names - firing == set(), f"alerts never shown firing: {sorted(names - firing)}"
    assert names - quiet == set(), f"alerts never shown quiet: {sorted(names - quiet)}"
    assert (firing | quiet) - names == set(), "tests name alerts that do not exist"


def test_every_alert_has_a_severity_and_a_runbook_section(
    alert_rules: list[dict[str, Any]],
) -> None:
    headings = set(re.findall(r"^### (\S+)$", OPERATIONS.read_text(encoding="utf-8"), re.M))
    for rule in alert_rules:
        name = rule["alert"]
        assert rule["labels"]["severity"] in ("critical", "warning"), name
        for key in ("summary", "description"):
            assert rule["annotations"].get(key), f"{name} has no {key}"
        assert rule["annotations"]["runbook_url"] == f"docs/operations.md#{name.lower()}"
        assert name in headings, f"docs/operations.md has no '### {name}' section"


def test_the_name_lexer_finds_metrics_and_nothing_else() -> None:
    # The lexer decides what the two tests below compare, so it is checked on its own.
    expr = (
        'histogram_quantile(0.99, sum by (le, route) (rate(a_seconds_bucket{job="x", '
        'route=~"/v1/{id}|b"}[5m]))) > 1e3 and on (job) b_total offset 5m '
        "unless absent(up{job='y'} == 1) or sum without (le) (c:recorded[1h:5m])"
    )
    assert metric_names(expr) == {"a_seconds", "b_total", "up", "c:recorded"}


def test_rules_and_dashboard_use_only_listed_metric_names(
    dashboard_promql: list[tuple[str, str]],
) -> None:
    listed = set(_listed())
    for where, expr in _rule_expressions() + dashboard_promql:
        unknown = metric_names(expr) - listed - SYNTHETIC
        assert not unknown, f"{where} uses {sorted(unknown)}, not in infra/prometheus/metrics.txt"


def test_every_listed_metric_is_used(dashboard_promql: list[tuple[str, str]]) -> None:
    # A stale name in metrics.txt would make the exposition test demand a metric nobody reads.
    listed = _listed()
    assert len(listed) == len(set(listed)), "metrics.txt lists a name twice"
    used = set().union(*(metric_names(e) for _, e in _rule_expressions() + dashboard_promql))
    assert set(listed) - used == set(), f"listed but unused: {sorted(set(listed) - used)}"


@pytest.mark.parametrize("name", _listed())
def test_listed_names_follow_prometheus_conventions(name: str) -> None:
    assert re.fullmatch(r"[a-z_][a-z0-9_]*", name), name
    assert not re.search(r"_(bucket|sum|count)$", name), f"{name}: list the base name"


def test_prometheus_scrapes_every_replica_of_the_apps() -> None:
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text(encoding="utf-8"))
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    compose = yaml.safe_load((REPO / "deploy" / "compose.yaml").read_text(encoding="utf-8"))
    for job, service, path in (
        ("starstats-api", "api", "/metrics"),
        ("starstats-web", "web", "/api/metrics"),
    ):
        scrape = jobs[job]
        assert scrape["metrics_path"] == path
        # DNS discovery: one target per replica; a static target would hit one at random.
        (discovery,) = scrape["dns_sd_configs"]
        assert discovery["names"] == [service]
        assert discovery["type"] == "A"
        port = str(discovery["port"])
        assert port in compose["services"][service]["expose"], f"{job} scrapes port {port}"


def test_rules_and_dashboard_select_only_jobs_prometheus_scrapes(
    dashboard_promql: list[tuple[str, str]],
) -> None:
    # A misspelt job matches no series: the alert would never fire and nothing would say so.
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text(encoding="utf-8"))
    jobs = {job["job_name"] for job in config["scrape_configs"]}
    for where, expr in _rule_expressions() + dashboard_promql:
        for value in re.findall(r'\bjob\s*=~?\s*"([^"]*)"', expr):
            named = set(value.split("|"))
            assert named <= jobs, f"{where} selects unknown job(s) {sorted(named - jobs)}"
