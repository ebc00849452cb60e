"""The `Svg` pen the charts draw with: it writes XML that says what it shows (title, desc,
aria), scales to its container, escapes every text and gives two charts on a page their own
ids. With Chromium at hand, the journey's charts are also rendered to a PNG (set
STARSTATS_CHART_PNG_DIR to keep them for a look)."""

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape

from starstats_web import journeycharts as jc
from starstats_web.charts import PALETTE, Svg, escaped

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def drawn(label: str, desc: str = "Three bars.", *, words: str = "a bar") -> ET.Element:
    chart = Svg(label, 120, desc)
    chart.rect(0, 0, 720, 120, PALETTE["panel"], rx=8)
    chart.open_group(words)
    chart.rect(10, 10, 50, 100, PALETTE["accent"])
    chart.close_group()
    chart.line(0, 110, 720, 110, PALETTE["grid"])
    chart.text(360, 60, words, "middle", muted=True)
    return parse(chart.markup())


def test_the_palette_is_the_shared_dark_theme() -> None:
    assert PALETTE["background"] == "#0b0f17"
    assert PALETTE["panel"] == "#121a26"
    assert PALETTE["accent"] == "#4fc3f7"
    assert set(PALETTE) >= {"text", "muted", "grid", "amber", "danger", "success", "violet"}
    with pytest.raises(TypeError):
        PALETTE["accent"] = "#000000"  # type: ignore[index]


def test_a_chart_is_accessible_scalable_svg() -> None:
    root = drawn("Events per day, last 3 days", "8 events on 2 of 3 days.")
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == "0 0 720 120"
    assert root.get("width") is None  # sized by its container
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Events per day, last 3 days"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None
    assert title.text == "Events per day, last 3 days"
    assert desc is not None
    assert desc.text == "8 events on 2 of 3 days."
    labelled = (root.get("aria-labelledby") or "").split()
    assert labelled == [title.get("id"), desc.get("id")]
    (group,) = root.iter(f"{SVG}g")
    assert group.findtext(f"{SVG}title") == "a bar"
    assert [t.get("fill") for t in root.iter(f"{SVG}text")] == [PALETTE["muted"]]
    assert parse(Svg("Narrow", 40, "", width=400).markup()).get("viewBox") == "0 0 400 40"


def test_every_text_is_escaped() -> None:
    hostile = '<script>alert("x")</script> & co'
    chart = Svg(hostile, 80, hostile)
    chart.open_group(hostile)
    chart.text(0, 0, hostile, "start")
    chart.close_group()
    markup = chart.markup()
    assert "<script>" not in markup
    root = parse(markup)
    assert root.get("aria-label") == hostile
    assert root.findtext(f"{SVG}title") == hostile
    assert root.findtext(f"{SVG}desc") == hostile
    assert [t.text for t in root.iter(f"{SVG}text")] == [hostile]
    assert next(root.iter(f"{SVG}g")).findtext(f"{SVG}title") == hostile


def test_ids_differ_between_two_charts_on_one_page() -> None:
    ids = {drawn(label).find(f"{SVG}title").get("id") for label in ("A", "B")}  # type: ignore[union-attr]
    assert len(ids) == 2
    assert all(re.fullmatch(r"chart-[0-9a-f]{10}-title", i or "") for i in ids)


# -- a look in a real browser ---------------------------------------------------------------------
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed: no PNG rendering")
def test_charts_render_to_png_in_chromium(tmp_path: Path) -> None:
    keep = os.environ.get("STARSTATS_CHART_PNG_DIR")
    out = Path(keep) if keep else tmp_path
    out.mkdir(parents=True, exist_ok=True)
    today = date(2026, 12, 7)
    charts = {
        "heatmap": jc.heatmap_svg(
            {today - timedelta(days=i): float((i * 37) % 7200) for i in range(0, 300, 2)}, today
        ),
        "bars": jc.bars_svg(
            [jc.Bar("Lorville", 5000.0, "1 h 23 min"), jc.Bar("Area18", 1200.0, "20 min")],
            label="Time per place",
            colour=jc.KIND_COLOURS["stop"],
            unit="Time",
        ),
    }
    for name, svg in charts.items():
        page = tmp_path / f"{name}.html"
        page.write_text(
            f'<html><body style="margin:0;padding:16px;width:720px;background:'
            f'{PALETTE["background"]}">{svg}</body></html>'
        )
        png = out / f"{name}.png"
        subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--window-size=760,320", f"--screenshot={png}", page.as_uri()],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        data = png.read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert (width, height) == (760, 320)


@given(st.text())
def test_the_fast_escape_writes_what_markupsafe_writes(text: str) -> None:
    # The heatmap's tooltips and data tables go through `escaped`: any text, hostile or not,
    # must come out exactly as markupsafe would write it.
    assert escaped(text) == str(escape(text))
