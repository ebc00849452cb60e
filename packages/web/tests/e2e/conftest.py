"""A real browser for the web tests: Debian's Chromium driven by Playwright (sync API), one
browser per test module and a fresh context (cookies, storage) per test. No browser download:
Playwright is pointed at /usr/bin/chromium.

Module scope, not session: the sync API keeps an event loop running in the main thread while
it is open, and later test modules call `asyncio.run`, which refuses to start inside one."""

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS_ENV = "STARSTATS_ARTIFACTS_DIR"


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    if shutil.which(CHROMIUM) is None:
        pytest.fail(f"{CHROMIUM} is missing: bash scripts/ensure-test-tools.sh installs it")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
    yield launched
    launched.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A laptop-sized window with its own cookie jar."""
    made = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB")
    made.set_default_timeout(15_000)
    yield made
    made.close()


@pytest.fixture
def artifact_dirs(tmp_path: Path) -> list[Path]:
    """Where screenshots go: the test's temp dir, and $STARSTATS_ARTIFACTS_DIR when set."""
    dirs = [tmp_path / "artifacts"]
    if os.environ.get(ARTIFACTS_ENV):
        dirs.append(Path(os.environ[ARTIFACTS_ENV]))
    for folder in dirs:
        folder.mkdir(parents=True, exist_ok=True)
    return dirs


Shot = Callable[[Page, str], None]


@pytest.fixture
def shot(artifact_dirs: list[Path], backend: str) -> Shot:
    """Save a full-page screenshot under each artifact folder (PostgreSQL runs suffixed)."""
    suffix = "" if backend == "sqlite" else f"-{backend}"

    def save(page: Page, name: str) -> None:
        data = page.screenshot(full_page=True)
        assert len(data) > 10_000, f"{name}: the screenshot looks empty"
        for folder in artifact_dirs:
            (folder / f"web-{name}{suffix}.png").write_bytes(data)

    return save


# -- accessibility: axe-core injected into the page --------------------------------------------
ENSURE_AXE = Path(__file__).resolve().parents[4] / "scripts" / "ensure-axe.sh"
AXE_ENV = "STARSTATS_AXE_PATH"
# Impacts that fail a test; "minor" and "moderate" findings are reported, not fatal.
BLOCKING = ("serious", "critical")

Audit = Callable[[Page], list[str]]


@pytest.fixture(scope="module")
def axe_source() -> str:
    """axe.min.js from the cache (`scripts/ensure-axe.sh`, which `make pytest` runs first)."""
    path = os.environ.get(AXE_ENV)
    if not path:
        found = subprocess.run(
            ["bash", str(ENSURE_AXE)], capture_output=True, text=True, check=False
        )
        if found.returncode != 0:
            pytest.fail(f"axe-core is missing: {found.stderr.strip()}")
        path = found.stdout.strip()
    return Path(path).read_text(encoding="utf-8")


@pytest.fixture
def audit(axe_source: str) -> Audit:
    """Run axe-core on a page: the serious and critical violations, as readable lines."""

    def run(page: Page) -> list[str]:
        # Evaluated through the browser's debugging protocol, which the page's CSP (its own
        # scripts only) does not govern, so the page under test keeps its real CSP.
        page.evaluate(axe_source)
        result = page.evaluate("async () => await axe.run(document)")
        return [
            f"{v['impact']}: {v['id']} ({v['help']}) at "
            + ", ".join(str(n["target"]) for n in v["nodes"][:5])
            for v in result["violations"]
            if v["impact"] in BLOCKING
        ]

    return run
