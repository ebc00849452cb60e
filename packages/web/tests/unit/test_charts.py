"""The SVG charts parse as XML, say what they show (title, desc, aria), draw one bar per day
with heights in proportion, put ticks and gridlines at readable places, escape every text,
and show an empty state. With Chromium at hand, each chart is also rendered to a PNG (set
STARSTATS_CHART_PNG_DIR to keep them for a look)."""

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path

import pytest

from starstats_web.charts import OTHER, PALETTE, Day, breakdown_svg, timeline_svg

SVG = "{http://www.w3.org/2000/svg}"
LAST = date(2026, 11, 27)


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def days(totals: list[int], by_type: list[list[tuple[str, int]]] | None = None) -> list[Day]:
    n = len(totals)
    return [
        Day(LAST - timedelta(days=n - 1 - i), total, by_type[i] if by_type else ())
        for i, total in enumerate(totals)
    ]


def day_groups(root: ET.Element) -> list[ET.Element]:
    """The bars: one <g> per day, titled "<date>: <n> events"."""
    return [g for g in root.iter(f"{SVG}g") if (g.findtext(f"{SVG}title") or "").endswith("events")]


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_the_palette_is_the_shared_dark_theme() -> None:
    assert PALETTE["background"] == "#0b0f17"
    assert PALETTE["panel"] == "#121a26"
    assert PALETTE["accent"] == "#4fc3f7"
    assert set(PALETTE) >= {"text", "muted", "grid", "amber", "danger", "success", "violet"}
    with pytest.raises(TypeError):
        PALETTE["accent"] = "#000000"  # type: ignore[index]


def test_a_timeline_is_accessible_scalable_svg() -> None:
    root = parse(timeline_svg(days([3, 0, 5]), label="Events per day, last 3 days"))
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == "0 0 720 260"
    assert root.get("width") is None  # sized by its container
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Events per day, last 3 days"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None
    assert title.text == "Events per day, last 3 days"
    assert desc is not None
    assert desc.text is not None
    assert "8 events" in desc.text
    assert "busiest day 27 Nov 2026 with 5 events" in desc.text
    labelled = (root.get("aria-labelledby") or "").split()
    assert labelled == [title.get("id"), desc.get("id")]


def test_simple_bars_are_one_per_day_with_heights_in_proportion() -> None:
    totals = [10, 0, 25, 5, 40, 0, 20]
    root = parse(timeline_svg(days(totals), label="Week"))
    groups = day_groups(root)
    assert len(groups) == len(totals)
    heights = [sum(float(r.get("height", 0)) for r in g.iter(f"{SVG}rect")) for g in groups]
    scale = heights[4] / 40
    for total, height in zip(totals, heights, strict=True):
        assert height == pytest.approx(total * scale, abs=0.02)
    # Every day is labelled on a 7-day chart.
    assert [t for t in texts(root) if "Nov" in t] == [f"{d} Nov" for d in range(21, 28)]
    # Totals without types (another player's timeline): accent bars, no legend.
    assert {r.get("fill") for g in groups for r in g.iter(f"{SVG}rect")} == {PALETTE["accent"]}
    assert OTHER not in texts(root)


def test_stacks_show_each_listed_type_and_the_rest_as_other() -> None:
    stacked = [
        [("quantum_target_selected", 6), ("join_pu", 2)],
        [("join_pu", 4)],
    ]
    root = parse(timeline_svg(days([10, 4], stacked), label="Stacked"))
    first, second = day_groups(root)
    fills = [r.get("fill") for r in first.iter(f"{SVG}rect")]
    assert fills == [PALETTE["accent"], PALETTE["amber"], PALETTE["muted"]]  # 6, 2, other 2
    heights = [float(r.get("height", 0)) for r in first.iter(f"{SVG}rect")]
    assert heights[0] == pytest.approx(3 * heights[1], abs=0.02) == pytest.approx(3 * heights[2])
    # The same type keeps its colour on every day.
    assert [r.get("fill") for r in second.iter(f"{SVG}rect")] == [PALETTE["amber"]]
    assert {"Quantum target selected", "Shard joined", OTHER} <= set(texts(root))


def test_y_gridlines_sit_at_round_numbers_above_the_peak() -> None:
    for peak, expected in [
        (7, ["0", "2", "4", "6", "8"]),
        (40, ["0", "10", "20", "30", "40"]),
        (604, ["0", "200", "400", "600", "800"]),
        (1_450_000, ["0", "500k", "1M", "1.5M"]),
    ]:
        root = parse(timeline_svg(days([peak, peak // 2]), label="Scale"))
        labels = [
            t.text for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "end" and t.text
        ]
        assert labels == expected, peak


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (30, ["30 Oct", "6 Nov", "13 Nov", "20 Nov", "27 Nov"]),  # weekly, ending today
        (90, ["1 Sep", "15 Sep", "1 Oct", "15 Oct", "1 Nov", "15 Nov"]),
        (
            365,
            [
                "Dec",
                "Jan 2026",
                "Feb",
                "Mar",
                "Apr",
                "May",
                "Jun",
                "Jul",
                "Aug",
                "Sep",
                "Oct",
                "Nov",
            ],
        ),
    ],
)
def test_date_ticks_suit_the_range(n: int, expected: list[str]) -> None:
    root = parse(timeline_svg(days([1] * n), label=f"{n} days"))
    ticks = [t.text for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "middle"]
    assert ticks == expected
    assert len(day_groups(root)) == n


def test_a_range_without_events_says_so() -> None:
    for empty in (days([0] * 30), []):
        root = parse(timeline_svg(empty, label="Nothing"))
        assert day_groups(root) == []
        assert "No events in this range" in texts(root)
        assert len(list(root.iter(f"{SVG}rect"))) == 1  # the panel only


def test_every_text_is_escaped() -> None:
    hostile = '<script>alert("x")</script> & co'
    markup = timeline_svg(days([2], [[(hostile, 2)]]), label=hostile)
    assert "<script>" not in markup
    root = parse(markup)
    assert root.get("aria-label") == hostile
    assert root.findtext(f"{SVG}title") == hostile
    assert any(hostile[:20] in t for t in texts(root))  # the legend, cut to fit
    chart = breakdown_svg([(hostile, 5)], label=hostile)
    assert "<script>" not in chart
    assert parse(chart).findtext(f"{SVG}title") == hostile


def test_breakdown_bars_rank_the_top_types_and_sum_the_rest() -> None:
    counts = [("join_pu", 40), ("quantum_target_selected", 100), ("a", 5), ("b", 3), ("c", 2)]
    root = parse(breakdown_svg(counts, label="Event types", top=3))
    rows = day_groups(root)
    assert [g.findtext(f"{SVG}title") for g in rows] == [
        "Quantum target selected: 100 events",
        "Shard joined: 40 events",
        "A: 5 events",
        f"{OTHER}: 5 events",
    ]
    widths = [float(next(g.iter(f"{SVG}rect")).get("width", 0)) for g in rows]
    assert widths[1] == pytest.approx(widths[0] * 0.4, abs=0.02)
    assert [t for t in texts(root) if t.isdigit()] == ["100", "40", "5", "5"]
    fills = [next(g.iter(f"{SVG}rect")).get("fill") for g in rows]
    assert fills[-1] == PALETTE["muted"]
    assert fills[0] == PALETTE["accent"]
    desc = root.findtext(f"{SVG}desc") or ""
    assert "Quantum target selected: 100 (67%)" in desc
    assert root.get("viewBox") == f"0 0 720 {14 * 2 + 26 * 4}"


def test_a_breakdown_without_events_says_so() -> None:
    for counts in ([], [("join_pu", 0)]):
        root = parse(breakdown_svg(counts, label="Event types"))
        assert day_groups(root) == []
        assert "No events yet" in texts(root)


def test_numbers_in_a_breakdown_have_thousands_separators() -> None:
    root = parse(breakdown_svg([("join_pu", 1_234_567)], label="Types"))
    assert "1,234,567" in texts(root)


# -- a look in a real browser ---------------------------------------------------------------------
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed: no PNG rendering")
def test_charts_render_to_png_in_chromium(tmp_path: Path) -> None:
    keep = os.environ.get("STARSTATS_CHART_PNG_DIR")
    out = Path(keep) if keep else tmp_path
    out.mkdir(parents=True, exist_ok=True)
    n = 30
    stacked = [
        [("quantum_target_selected", (i * 37) % 90), ("hud_notification", (i * 53) % 70)]
        for i in range(n)
    ]
    totals = [a[1] + b[1] + (i * 11) % 25 for i, (a, b) in enumerate(stacked)]
    charts = {
        "timeline": timeline_svg(days(totals, stacked), label="Events per day, last 30 days"),
        "breakdown": breakdown_svg(
            [
                ("quantum_target_selected", 5000),
                ("hud_notification", 3100),
                ("join_pu", 40),
                ("vehicle_control", 1200),
                ("player_spawned", 300),
                ("x", 2),
                ("y", 1),
            ],
            label="Event types",
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


def test_ids_differ_between_two_charts_on_one_page() -> None:
    a = parse(timeline_svg(days([1]), label="A")).findtext(f"{SVG}title")
    ids = {
        parse(timeline_svg(days([1]), label=label)).find(f"{SVG}title").get("id")  # type: ignore[union-attr]
        for label in ("A", "B")
    }
    assert a == "A"
    assert len(ids) == 2
    assert all(re.fullmatch(r"chart-[0-9a-f]{10}-title", i or "") for i in ids)
