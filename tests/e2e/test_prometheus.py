"""Debian's Prometheus scrapes the running API (and the web app) and PromQL over the scraped
series returns the request counts the test made: the exposition is not only well-formed
but usable by the real scraper, with the job and route labels the shipped rules rely on."""

import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from starstats_server.app import create_app
from starstats_server.settings import Settings
from starstats_web.app import create_app as create_web
from starstats_web.settings import WebSettings

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def _wait(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        time.sleep(0.25)


class Prometheus:
    def __init__(self, tmp: Path, port: int, targets: dict[str, tuple[str, str]]) -> None:
        binary = shutil.which("prometheus")
        if binary is None:  # CI installs it (scripts/ensure-test-tools.sh): never skip there
            pytest.fail("prometheus is not installed: sudo apt-get install prometheus")
        jobs = "".join(
            f"""  - job_name: {job}
    metrics_path: {path}
    static_configs:
      - targets: ["{address}"]
"""
            for job, (address, path) in targets.items()
        )
        config = tmp / "prometheus.yml"
        config.write_text(
            f"global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n{jobs}",
            encoding="utf-8",
        )
        self.url = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen(
            [
                binary,
                f"--config.file={config}",
                f"--storage.tsdb.path={tmp / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait(self._ready, 30, "Prometheus to start")

    def _ready(self) -> bool:
        assert self.proc.poll() is None, "prometheus exited"
        try:
            return httpx.get(f"{self.url}/-/ready", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    def query(self, promql: str) -> list[dict[str, Any]]:
        response = httpx.get(f"{self.url}/api/v1/query", params={"query": promql}, timeout=5)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["status"] == "success", body
        result: list[dict[str, Any]] = body["data"]["result"]
        return result

    def scalar(self, promql: str) -> float | None:
        result = self.query(promql)
        return float(result[0]["value"][1]) if result else None

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=20)


@pytest.fixture
def api(tmp_path: Path, key_file: Path, uvicorn_thread: Any) -> Iterator[Any]:
    settings = Settings(
        data_dir=tmp_path / "server",
        database_url=f"sqlite:///{tmp_path / 'server.db'}",
        jwt_key_file=key_file,
        auto_migrate=True,
    )
    serving = uvicorn_thread(create_app(settings))
    serving.start()
    yield serving
    serving.stop()


@pytest.fixture
def web(
    tmp_path: Path, api: Any, uvicorn_thread: Any, free_port: Callable[[], int]
) -> Iterator[Any]:
    port = free_port()
    settings = WebSettings(
        api_url=api.url,
        web_origin=f"http://127.0.0.1:{port}",
        cookie_secure=False,
        web_data_dir=tmp_path / "web",
    )
    serving = uvicorn_thread(create_web(settings), port)
    serving.start()
    yield serving
    serving.stop()


def test_prometheus_scrapes_the_api_and_the_web_app_and_counts_their_requests(
    tmp_path: Path, api: Any, web: Any, free_port: Callable[[], int]
) -> None:
    targets = {
        "starstats-api": (api.url.removeprefix("http://"), "/metrics"),
        "starstats-web": (web.url.removeprefix("http://"), "/api/metrics"),
    }
    prometheus = Prometheus(tmp_path, free_port(), targets)
    try:
        # The first sample lands ~6 s after start (discovery throttle): poll, don't sleep.
        for job in targets:
            _wait(lambda job=job: prometheus.scalar(f'up{{job="{job}"}}') == 1.0, 60, f"{job} up")
        with httpx.Client(base_url=api.url) as http:
            for _ in range(7):
                assert http.get("/healthz").status_code == 200
            for _ in range(3):
                assert http.get("/v1/me/summary").status_code == 401
        healthz = (
            'sum(http_server_request_duration_seconds_count{job="starstats-api",route="/healthz"})'
        )
        refused = (
            'sum(http_server_request_duration_seconds_count{job="starstats-api",'
            'route="/v1/me/summary",status="401"})'
        )
        _wait(lambda: prometheus.scalar(healthz) == 7.0, 30, "7 /healthz requests in PromQL")
        _wait(lambda: prometheus.scalar(refused) == 3.0, 30, "3 refused summaries in PromQL")
        # The scrapes themselves are requests too, counted under the /metrics template.
        scrapes = prometheus.scalar(
            'sum(http_server_request_duration_seconds_count{job="starstats-api",route="/metrics"})'
        )
        assert scrapes is not None
        assert scrapes >= 1
        # An error ratio over real data (no 5xx series at all: the numerator defaults to 0).
        # rate() needs two scrapes of a series, so wait for the second one.
        ratio = (
            '(sum(rate(http_server_request_duration_seconds_count{job="starstats-api",status=~"5.."}[1m]))'
            " or vector(0))"
            ' / sum(rate(http_server_request_duration_seconds_count{job="starstats-api"}[1m]))'
        )
        _wait(lambda: prometheus.scalar(ratio) is not None, 30, "a rate over two scrapes")
        assert prometheus.scalar(ratio) == 0.0

        with httpx.Client(base_url=web.url) as browser:
            for _ in range(4):
                assert browser.get("/auth/login").status_code == 200
        web_job = 'job="starstats-web"'
        pages = f'sum(http_server_request_duration_seconds_count{{{web_job},route="/auth/login"}})'
        renders = (
            "sum(starstats_web_page_render_duration_seconds_count"
            f'{{{web_job},route="auth/login.html"}})'
        )
        _wait(lambda: prometheus.scalar(pages) == 4.0, 30, "4 login pages in PromQL")
        _wait(lambda: prometheus.scalar(renders) == 4.0, 30, "4 login renders in PromQL")
    finally:
        prometheus.stop()


def _exposed(text: str) -> set[str]:
    from prometheus_client.parser import text_string_to_metric_families

    names = set()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            names.add(sample.name)
            for suffix in ("_bucket", "_sum", "_count", "_created"):
                if sample.name.endswith(suffix):
                    names.add(sample.name.removesuffix(suffix))
    return names


def test_every_metric_the_rules_and_dashboard_use_is_exposed(api: Any, web: Any) -> None:
    listed = {
        line.strip()
        for line in (REPO / "infra" / "prometheus" / "metrics.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    with httpx.Client(base_url=web.url, headers={"Origin": web.url}) as browser:
        login = browser.get("/auth/login")  # a page render
        token = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
        assert token is not None
        refused = browser.post(  # an API call and an auth attempt, from the web and the API
            "/auth/login",
            data={
                "csrf_token": token.group(1),
                "email": "nobody@example.com",
                "password": "x" * 12,
            },
        )
        assert refused.status_code == 401  # the form again, with "wrong e-mail or password"
        web_names = _exposed(browser.get("/api/metrics").text)
    with httpx.Client(base_url=api.url) as http:
        assert http.get("/readyz").status_code == 200  # readiness gauges
        batch = {"schema_version": 9, "batch_id": "b", "claimed_handle": "x", "events": []}
        http.post("/v1/ingest", json=batch)  # 401: counted among refused requests
        api_names = _exposed(http.get("/metrics").text)
    missing = listed - web_names - api_names
    assert not missing, f"the rules or dashboard use metrics nobody exposes: {sorted(missing)}"
