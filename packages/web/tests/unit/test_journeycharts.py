"""The journey's charts: accessible SVG (title, description) with a data table behind each,
escaped text, one colour per fact kind."""

import re
from datetime import date, timedelta

from starstats_web import journeycharts as jc


def test_the_heatmap_has_53_weeks_and_a_row_per_day_played() -> None:
    today = date(2026, 12, 7)  # a Monday: the last column has one day
    play = {today: 7200.0, today - timedelta(days=3): 600.0, today - timedelta(days=400): 50.0}
    svg = str(jc.heatmap_svg(play, today))
    assert 'role="img"' in svg
    assert "<title id=" in svg
    assert svg.count("<rect") == 52 * 7 + 1 + 5  # the days, then the legend's five steps
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td></tr>", svg)
    assert rows == [("4 Dec 2026", "10 min"), ("7 Dec 2026", "2 h 00 min")]  # 400 days ago: out
    assert "2 h 10 min played on 2 days" in svg


def test_the_heatmap_without_play_says_so() -> None:
    svg = str(jc.heatmap_svg({}, date(2026, 12, 7)))
    assert "No play time from" in svg
    assert "<tbody></tbody>" in svg


def test_bars_escape_names_and_draw_losses_in_red() -> None:
    bars = [jc.Bar("<Gold>", 300.0, "+300 aUEC"), jc.Bar("Tin", -100.0, "−100 aUEC")]
    svg = str(jc.bars_svg(bars, label="Profit", colour=jc.KIND_COLOURS["trade"], unit="Profit"))
    assert "<Gold>" not in svg
    assert "&lt;Gold&gt;" in svg
    assert jc.KIND_COLOURS["trade"] in svg
    assert "#ef5350" in svg  # the loss
    assert "<td>Tin</td><td>−100 aUEC</td>" in svg


def test_the_session_timeline_has_a_lane_per_kind_present() -> None:
    marks = [
        jc.Mark("stop", 0, 600, "00:00 Places: Lorville"),
        jc.Mark("death", 900, 900, "00:15 Deaths: killed"),
    ]
    svg = str(jc.session_timeline_svg(marks, 1800, lambda s: f"{int(s // 60):02d}m"))
    assert ">Places</text>" in svg
    assert ">Deaths</text>" in svg
    assert ">Ships</text>" not in svg
    assert "<title>00:15 Deaths: killed</title>" in svg
    assert "30m" in svg
