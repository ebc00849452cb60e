"""The journey's pictures as inline SVG drawn on the server: the 53-week play-time heatmap,
horizontal bars (time per place, per ship, profit per good) and a session's vertical timeline.
Pure: data in, `Markup` out.

Each chart is a `role="img"` SVG with a title and a description in words, followed by a
visually hidden data table with every number (`data_table`), so a screen reader gets the
figures, not only a summary. Each fact kind keeps one colour everywhere (`KIND_COLOURS`).
"""

import bisect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType

from markupsafe import Markup, escape

from starstats_web import present
from starstats_web.charts import PALETTE, Svg, escaped

# One colour per fact kind, on every page (the legend of the session timeline says which).
KIND_COLOURS: Mapping[str, str] = MappingProxyType(
    {
        "play": PALETTE["accent"],
        "stop": PALETTE["violet"],
        "leg": "#7986cb",
        "stint": PALETTE["amber"],
        "contract": PALETTE["success"],
        "trade": "#4db6ac",
        "death": PALETTE["danger"],
        "kill": "#ff8a65",
        "life": "#aed581",
    }
)
KIND_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "stop": "Places",
        "leg": "Travel",
        "stint": "Ships",
        "contract": "Contracts",
        "trade": "Trade",
        "death": "Deaths",
        "kill": "Kills",
    }
)
# Heatmap steps: no play, under 30 min, under 1 h, under 2 h, 2 h and more.
_HEAT_STEPS = (0.0, 1800.0, 3600.0, 7200.0)
_HEAT = ("#172131", "#1d4e63", "#2a7fa0", "#3aa9d4", PALETTE["accent"])
_DAYS = ("Mon", "", "Wed", "", "Fri", "", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def data_table(caption: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> Markup:
    """The numbers behind a chart, for screen readers (hidden from sight by its class)."""
    head = "".join(f'<th scope="col">{escaped(h)}</th>' for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{escaped(str(cell))}</td>" for cell in row) + "</tr>" for row in rows
    )
    # Every cell and the caption are escaped above.
    return Markup(  # noqa: S704  # nosec B704
        # The class sits on a block around the table: a table box ignores `overflow`, so
        # a hidden table itself would still widen the page on a phone.
        f'<div class="visually-hidden"><table><caption>{escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def heatmap_svg(play: Mapping[date, float], today: date) -> Markup:
    """53 weeks of play time, a column per week (Monday on top), today in the last column."""
    first = today - timedelta(days=today.weekday() + 52 * 7)
    cell, gap, left, top = 12, 2, 30, 20
    width = left + 53 * (cell + gap) + 24  # room for the last month's name
    height = top + 7 * (cell + gap) + 26
    active = {d: s for d, s in play.items() if first <= d <= today and s > 0}
    total = sum(active.values())
    label = "Play time per day, last 53 weeks"
    if active:
        busiest = max(active, key=lambda d: (active[d], d))
        desc = (
            f"{present.duration(total)} played on {len(active)} days from {present.day(first)}"
            f" to {present.day(today)}; most on {present.day(busiest)}"
            f" ({present.duration(active[busiest])})."
        )
    else:
        desc = f"No play time from {present.day(first)} to {present.day(today)}."
    chart = Svg(label, height, desc, width=width)
    for row, name in enumerate(_DAYS):
        if name:
            chart.text(left - 4, top + row * (cell + gap) + cell - 2, name, "end", muted=True)
    # 371 tiles a render: each day's words made once (its tooltip and its table row) and
    # its colour step by bisection; the heatmap was a dashboard render's largest part.
    words_of: dict[date, tuple[str, str]] = {}
    for week in range(53):
        monday = first + timedelta(days=7 * week)
        x = left + week * (cell + gap)
        if monday.day <= 7:
            chart.text(x, top - 6, _MONTHS[monday.month - 1], "start", muted=True)
        for row in range(7):
            day = monday + timedelta(days=row)
            if day > today:
                break
            seconds = active.get(day, 0.0)
            shown = present.day(day)
            if seconds:
                words_of[day] = (shown, present.duration(seconds))
                words = f"{shown}: {words_of[day][1]}"
            else:
                words = f"{shown}: no play"
            step = bisect.bisect_left(_HEAT_STEPS, seconds)
            chart.tile(x, top + row * (cell + gap), cell, _HEAT[step], words)
    legend_y = top + 7 * (cell + gap) + 8
    chart.text(left, legend_y + cell - 2, "Less", "start", muted=True)
    for i, colour in enumerate(_HEAT):
        chart.rect(left + 34 + i * (cell + gap), legend_y, cell, cell, colour, rx=2)
    chart.text(left + 40 + 5 * (cell + gap), legend_y + cell - 2, "More play", "start", muted=True)
    rows = [words_of[d] for d in sorted(words_of)]
    return chart.markup() + data_table(label, ("Day", "Play time"), rows)


@dataclass(frozen=True)
class Bar:
    name: str
    value: float
    shown: str  # the value as the page writes it ("1 h 05 min", "+12,000 aUEC")


def bars_svg(bars: Sequence[Bar], *, label: str, colour: str, unit: str) -> Markup:
    """Horizontal bars, largest first as given, each under its name (so a long name needs no
    cutting and the chart stays narrow enough to read on a phone); negative values (a loss)
    in red to the same scale. `unit` names the value column of the data table."""
    row_h, pad, value_w, width = 40, 8, 120, 400
    height = max(40, pad * 2 + row_h * len(bars))
    desc = "; ".join(f"{b.name}: {b.shown}" for b in bars) or "Nothing to show."
    chart = Svg(label, height, desc, width=width)
    peak = max((abs(b.value) for b in bars), default=0.0) or 1.0
    space = width - pad * 2 - value_w
    for i, bar in enumerate(bars):
        y = pad + i * row_h
        fill = PALETTE["danger"] if bar.value < 0 else colour
        length = max(2.0, space * abs(bar.value) / peak)
        chart.open_group(f"{bar.name}: {bar.shown}")
        chart.text(pad, y + 13, _fit(bar.name, 56), "start")
        chart.rect(pad, y + 19, length, 14, fill, rx=3)
        chart.text(pad + length + 6, y + 31, bar.shown, "start", muted=True)
        chart.close_group()
    rows = [(b.name, b.shown) for b in bars]
    return chart.markup() + data_table(label, ("Name", unit), rows)


@dataclass(frozen=True)
class Mark:
    """One fact on the session timeline: seconds from the session's start to its start and
    end (equal for an instant), its kind (the lane) and its words."""

    kind: str
    start: float
    end: float
    words: str


def session_timeline_svg(
    marks: Sequence[Mark], seconds: float, clock: Callable[[float], str]
) -> Markup:
    """The session top to bottom, one lane per kind of fact; `clock(offset)` writes the time
    of day of an offset (the y ticks)."""
    lanes = [k for k in KIND_NAMES if any(m.kind == k for m in marks)]
    left, lane_w, top, plot_h = 56, 58, 30, 520
    width = max(300, left + lane_w * len(lanes) + 8)
    height = top + plot_h + 14
    span = max(seconds, 1.0)
    label = "The session as a timeline"
    desc = f"{len(marks)} facts over {present.duration(seconds)}, in lanes: " + ", ".join(
        KIND_NAMES[k] for k in lanes
    )
    chart = Svg(label, height, desc or "", width=width)
    chart.rect(0, 0, width, height, PALETTE["panel"], rx=8)
    ticks = 6
    for i in range(ticks + 1):
        y = top + plot_h * i / ticks
        chart.line(left - 4, y, width - 6, y, PALETTE["grid"])
        chart.text(left - 8, y + 4, clock(span * i / ticks), "end", muted=True)
    for index, kind in enumerate(lanes):
        x = left + index * lane_w + lane_w / 2
        chart.text(x, top - 12, KIND_NAMES[kind], "middle", fill=KIND_COLOURS[kind])
        for mark in (m for m in marks if m.kind == kind):
            y1 = top + plot_h * max(0.0, mark.start) / span
            y2 = top + plot_h * min(span, max(mark.end, mark.start)) / span
            chart.open_group(mark.words)
            if y2 - y1 < 3:
                chart.rect(x - 7, y1 - 2, 14, 4, KIND_COLOURS[kind], rx=2)
            else:
                chart.rect(x - 7, y1, 14, y2 - y1, KIND_COLOURS[kind], rx=3)
            chart.close_group()
    return chart.markup()


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
