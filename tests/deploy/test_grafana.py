"""The Grafana provisioning and dashboard: the structure Grafana needs to load them (ids,
uids, titles, data sources that exist), every PromQL query valid as promtool parses it, and
the trace <-> log <-> metric links pointing at data sources that exist."""

import subprocess
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
GRAFANA = REPO / "infra" / "grafana"


def _datasources() -> list[dict[str, Any]]:
    files = sorted((GRAFANA / "provisioning" / "datasources").glob("*.yaml"))
    assert files, "no data source provisioning file"
    sources = []
    for path in files:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert document["apiVersion"] == 1, path
        sources.extend(document["datasources"])
    return sources


def test_data_sources_have_unique_names_and_uids() -> None:
    sources = _datasources()
    uids = [source["uid"] for source in sources]
    names = [source["name"] for source in sources]
    assert len(set(uids)) == len(uids), f"duplicate data source uid in {uids}"
    assert len(set(names)) == len(names), f"duplicate data source name in {names}"
    assert {source["type"] for source in sources} >= {"prometheus", "loki", "tempo"}
    assert sum(bool(source.get("isDefault")) for source in sources) == 1


def test_signals_link_to_each_other_by_trace_id() -> None:
    by_type = {source["type"]: source for source in _datasources()}
    uids = {source["uid"] for source in by_type.values()}
    prometheus = by_type["prometheus"]["jsonData"]
    exemplar_targets = prometheus["exemplarTraceIdDestinations"]
    assert [target["datasourceUid"] for target in exemplar_targets] == [by_type["tempo"]["uid"]]
    assert exemplar_targets[0]["name"] == "trace_id"

    (derived,) = by_type["loki"]["jsonData"]["derivedFields"]
    assert derived["datasourceUid"] == by_type["tempo"]["uid"]
    # Provisioning expands $VAR, so Grafana's own ${__value.raw} must be escaped as $$.
    assert derived["url"] == "$${__value.raw}"
    assert "trace_id" in derived["matcherRegex"]

    tempo = by_type["tempo"]["jsonData"]
    assert tempo["tracesToLogsV2"]["datasourceUid"] == by_type["loki"]["uid"]
    assert tempo["tracesToLogsV2"]["filterByTraceID"] is True
    for link in ("tracesToMetrics", "serviceMap", "lokiSearch"):
        assert tempo[link]["datasourceUid"] in uids, link


def test_data_source_urls_name_services_of_the_stack() -> None:
    compose = yaml.safe_load((REPO / "deploy" / "compose.yaml").read_text(encoding="utf-8"))
    for source in _datasources():
        host = source["url"].removeprefix("http://").split(":", 1)[0]
        assert host in compose["services"], f"{source['name']} points at unknown host {host}"


def test_dashboard_provider_reads_the_folder_compose_mounts() -> None:
    (provider,) = yaml.safe_load(
        (GRAFANA / "provisioning" / "dashboards" / "starstats.yaml").read_text(encoding="utf-8")
    )["providers"]
    compose = yaml.safe_load((REPO / "deploy" / "compose.yaml").read_text(encoding="utf-8"))
    mounts = dict(
        volume.split(":")[:2]
        for volume in compose["services"]["grafana"]["volumes"]
        if isinstance(volume, str)
    )
    assert mounts["../infra/grafana/dashboards"] == provider["options"]["path"]


def test_dashboard_identity(dashboard: dict[str, Any]) -> None:
    assert dashboard["uid"]
    assert len(dashboard["uid"]) <= 40  # Grafana's limit
    assert dashboard["title"]
    assert isinstance(dashboard["schemaVersion"], int)


def test_every_panel_has_an_id_a_title_a_data_source_and_queries(
    panels: list[dict[str, Any]],
) -> None:
    uids = {source["uid"]: source["type"] for source in _datasources()}
    ids = [panel["id"] for panel in panels]
    assert len(set(ids)) == len(ids), "panel ids must be unique"
    for panel in panels:
        title = panel.get("title")
        assert title, f"panel {panel['id']} has no title"
        if panel["type"] == "row":
            continue
        source = panel.get("datasource")
        assert source, f"panel {title!r} has no data source"
        assert uids.get(source["uid"]) == source["type"], f"{title!r}: unknown {source}"
        assert panel.get("targets"), f"panel {title!r} has no queries"
        ref_ids = [target["refId"] for target in panel["targets"]]
        assert len(set(ref_ids)) == len(ref_ids), f"{title!r}: duplicate refId"
        for target in panel["targets"]:
            assert target.get("expr"), f"{title!r} {target['refId']}: empty query"
            target_source = target.get("datasource", source)
            assert uids.get(target_source["uid"]) == target_source["type"], title


def test_panels_fit_the_grid_without_overlapping(panels: list[dict[str, Any]]) -> None:
    taken: dict[tuple[int, int], str] = {}
    for panel in panels:
        box = panel["gridPos"]
        assert box["x"] >= 0, panel["title"]
        assert box["x"] + box["w"] <= 24, f"{panel['title']!r} is wider than the grid"
        for x in range(box["x"], box["x"] + box["w"]):
            for y in range(box["y"], box["y"] + box["h"]):
                assert (x, y) not in taken, f"{panel['title']!r} overlaps {taken[(x, y)]!r}"
                taken[(x, y)] = panel["title"]


def test_every_dashboard_query_is_valid_promql(
    dashboard_promql: list[tuple[str, str]], promtool: str, tmp_path: Path
) -> None:
    assert dashboard_promql, "the dashboard has no Prometheus query"
    for where, expr in dashboard_promql:
        # A variable the substitution table does not know would reach promtool as `$x`,
        # which it rejects; say which one instead.
        assert "$" not in expr, f"{where}: unknown Grafana variable in {expr}"
    # Each query as a recording rule: `promtool check rules` parses every expression with
    # Prometheus' own parser and names the one that fails.
    rules = {
        "groups": [
            {
                "name": "dashboard",
                "rules": [
                    {"record": f"dashboard:query_{n}", "expr": expr, "labels": {"panel": where}}
                    for n, (where, expr) in enumerate(dashboard_promql)
                ],
            }
        ]
    }
    path = tmp_path / "dashboard-rules.yml"
    path.write_text(yaml.safe_dump(rules, sort_keys=False), encoding="utf-8")
    result = subprocess.run(
        [promtool, "check", "rules", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
