"""The OTel Collector, Loki and Tempo configurations (no binaries of theirs run here): the
collector takes OTLP in and wires traces to Tempo, logs to Loki and metrics to a Prometheus
exporter that Prometheus scrapes; every component a pipeline names is defined; and the
addresses each file uses for another service match what that service listens on."""

from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra"


def _load(path: str) -> Any:
    return yaml.safe_load((INFRA / path).read_text(encoding="utf-8"))


def _kind(component: str) -> str:
    """`otlphttp/loki` -> `otlphttp`: the type before the optional `/name`."""
    return component.split("/", 1)[0]


def test_collector_takes_otlp_over_grpc_and_http() -> None:
    receivers = _load("otel-collector/config.yaml")["receivers"]
    protocols = receivers["otlp"]["protocols"]
    # 0.0.0.0, not the collector's localhost default: the apps are other containers.
    assert protocols["grpc"]["endpoint"] == "0.0.0.0:4317"
    assert protocols["http"]["endpoint"] == "0.0.0.0:4318"


def test_collector_pipelines_use_only_defined_components_and_use_them_all() -> None:
    config = _load("otel-collector/config.yaml")
    used: dict[str, set[str]] = {"receivers": set(), "processors": set(), "exporters": set()}
    for name, pipeline in config["service"]["pipelines"].items():
        assert pipeline["receivers"], f"pipeline {name} has no receiver"
        assert pipeline["exporters"], f"pipeline {name} has no exporter"
        for section, seen in used.items():
            for component in pipeline.get(section, []):
                assert component in config[section], f"{name} uses undefined {component}"
                seen.add(component)
        # The memory limiter must come first to protect everything after it.
        assert pipeline["processors"][0] == "memory_limiter", name
        assert pipeline["processors"][-1] == "batch", name
    for section, names in used.items():
        assert set(config[section]) == names, f"defined but unused {section}"
    assert config["service"]["extensions"] == list(config["extensions"])


def test_traces_go_to_tempo_logs_to_loki_metrics_to_prometheus() -> None:
    config = _load("otel-collector/config.yaml")
    pipelines = config["service"]["pipelines"]
    exporters = config["exporters"]

    (traces,) = pipelines["traces"]["exporters"]
    assert _kind(traces) == "otlp"
    assert exporters[traces]["endpoint"] == "tempo:4317"
    tempo = _load("tempo/config.yaml")
    assert tempo["distributor"]["receivers"]["otlp"]["protocols"]["grpc"]["endpoint"].endswith(
        ":4317"
    )

    (logs,) = pipelines["logs"]["exporters"]
    # Loki 3 ingests OTLP natively at /otlp (the old `loki` exporter is gone from contrib).
    assert _kind(logs) == "otlphttp"
    assert exporters[logs]["endpoint"] == "http://loki:3100/otlp"
    assert _load("loki/config.yaml")["server"]["http_listen_port"] == 3100

    (metrics,) = pipelines["metrics"]["exporters"]
    assert _kind(metrics) == "prometheus"
    port = exporters[metrics]["endpoint"].rsplit(":", 1)[1]
    scrape = _load("prometheus/prometheus.yml")["scrape_configs"]
    targets = {
        target
        for job in scrape
        for static in job.get("static_configs", [])
        for target in static["targets"]
    }
    assert f"otel-collector:{port}" in targets, "Prometheus does not scrape the exporter"


def test_collector_healthcheck_hits_its_health_extension() -> None:
    config = _load("otel-collector/config.yaml")
    port = config["extensions"]["health_check"]["endpoint"].rsplit(":", 1)[1]
    compose = yaml.safe_load((REPO / "deploy" / "compose.yaml").read_text(encoding="utf-8"))
    check = compose["services"]["otel-collector"]["healthcheck"]["test"]
    assert f"http://127.0.0.1:{port}/" in check


def test_loki_keeps_otlp_logs_and_expires_them() -> None:
    loki = _load("loki/config.yaml")
    (schema,) = loki["schema_config"]["configs"]
    # OTLP attributes land as structured metadata, which needs the tsdb index, schema v13.
    assert (schema["store"], schema["schema"]) == ("tsdb", "v13")
    assert loki["limits_config"]["allow_structured_metadata"] is True
    # Retention is enforced by the compactor only; without it nothing is ever deleted.
    assert loki["compactor"]["retention_enabled"] is True
    assert loki["limits_config"]["retention_period"] == "720h"


def test_tempo_expires_traces_and_feeds_prometheus() -> None:
    tempo = _load("tempo/config.yaml")
    assert tempo["compactor"]["compaction"]["block_retention"] == "168h"
    assert tempo["server"]["http_listen_port"] == 3200
    (remote,) = tempo["metrics_generator"]["storage"]["remote_write"]
    assert remote["url"] == "http://prometheus:9090/api/v1/write"
    # Prometheus refuses remote write unless it is started with the receiver on.
    compose = yaml.safe_load((REPO / "deploy" / "compose.yaml").read_text(encoding="utf-8"))
    assert "--web.enable-remote-write-receiver" in compose["services"]["prometheus"]["command"]
    assert tempo["overrides"]["defaults"]["metrics_generator"]["processors"]


def test_each_app_sends_traces_to_the_collectors_http_port() -> None:
    # The API and the web app use the OTLP/HTTP exporter (opentelemetry-exporter-otlp-proto-
    # http), which would fail against the gRPC port.
    compose = yaml.safe_load((REPO / "deploy" / "compose.yaml").read_text(encoding="utf-8"))
    for name in ("api", "web"):
        env = compose["services"][name]["environment"]
        assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel-collector:4318", name
    assert "opentelemetry-exporter-otlp-proto-http" in (
        REPO / "packages" / "server" / "pyproject.toml"
    ).read_text(encoding="utf-8")
