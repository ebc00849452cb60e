"""The dashboard's charts as inline SVG, drawn on the server: events per day (stacked by type)
and the event-type breakdown. Pure: data in, `Markup` out, no I/O and no script.

Every chart has a `viewBox` and no fixed size (it scales to its container, a phone too),
`role="img"` with a `<title>` and a `<desc>` that say in words what it shows, and escapes every
text it draws. Colours are `PALETTE`'s, the web app's dark theme.
"""

import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from markupsafe import Markup, escape

from starstats_web.sentences import label as type_label

PALETTE: Mapping[str, str] = MappingProxyType(
    {
        "background": "#0b0f17",
        "panel": "#121a26",
        "text": "#e6edf3",
        "muted": "#8b9bb4",
        "grid": "#233044",
        "accent": "#4fc3f7",
        "amber": "#ffb74d",
        "danger": "#ef5350",
        "success": "#66bb6a",
        "violet": "#b39ddb",
    }
)
# Stacked series take these in order; "other" is always muted.
SERIES_COLOURS = tuple(
    PALETTE[name] for name in ("accent", "amber", "violet", "success", "danger", "text")
)
OTHER = "Other"

_WIDTH = 720
_FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"'
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Day:
    """One bar of `timeline_svg`: the events of one day, `by_type` stacked bottom-up in the
    order given (the rest of `total` is drawn as "Other").

    From `GET /v1/me/timeline/types`: `Day(b.date, b.total, [(t.event_type, t.count) for t
    in b.by_type])` for each bucket; from `GET /v1/me/timeline`: `Day(b.date, b.count)`."""

    date: date
    total: int
    by_type: Sequence[tuple[str, int]] = field(default_factory=tuple)


def timeline_svg(days: Sequence[Day], *, label: str) -> Markup:
    """Bars of events per day, oldest on the left, stacked by type with a legend (plain
    accent bars without one when no day lists types); date ticks suited to 7, 30, 90 or 365
    days; y gridlines at round numbers. `label` names the chart (its title, e.g. "Events per
    day, last 30 days"). No events: an empty frame that says so.
    """
    ordered = sorted(days, key=lambda d: d.date)
    series = _series(ordered)
    colours = {name: SERIES_COLOURS[i % len(SERIES_COLOURS)] for i, name in enumerate(series)}
    totals = [max(0, d.total) for d in ordered]
    height, left, right, top, bottom = 260, 48, 12, 34, 28
    plot_w, plot_h = _WIDTH - left - right, height - top - bottom
    chart = Svg(label, height, _timeline_desc(ordered, totals, series))
    chart.rect(0, 0, _WIDTH, height, PALETTE["panel"], rx=8)
    peak = max(totals, default=0)
    if peak == 0:
        chart.line(left, top + plot_h, left + plot_w, top + plot_h, PALETTE["grid"])
        chart.text(_WIDTH / 2, top + plot_h / 2, "No events in this range", "middle", muted=True)
        return chart.markup()
    # Days without types (`/v1/u/{handle}/timeline`) are plain bars in the accent colour; in a
    # stacked chart the rest is "Other", muted.
    plain = PALETTE["muted"] if series else PALETTE["accent"]
    step, ceiling = _nice_scale(peak)
    for value in range(0, ceiling + 1, step):
        y = top + plot_h - plot_h * value / ceiling
        chart.line(left, y, left + plot_w, y, PALETTE["grid"])
        chart.text(left - 6, y + 4, _compact(value), "end", muted=True)
    slot = plot_w / len(ordered)
    bar = max(1.0, slot * 0.8)
    for index, day in enumerate(ordered):
        x = left + index * slot + (slot - bar) / 2
        chart.open_group(f"{_day_name(day.date)}: {day.total:,} events")
        base = float(top + plot_h)
        for name, count in _stack(day, series):
            h = plot_h * count / ceiling
            base -= h
            chart.rect(x, base, bar, h, colours.get(name, plain))
        chart.close_group()
    for index, text in _ticks([d.date for d in ordered]):
        x = left + index * slot + slot / 2
        chart.line(x, top + plot_h, x, top + plot_h + 4, PALETTE["muted"])
        chart.text(x, height - 9, text, "middle", muted=True)
    if series:  # plain totals need no legend
        _legend(chart, [*series, OTHER] if _has_other(ordered, series) else series, colours, left)
    return chart.markup()


def breakdown_svg(counts: Sequence[tuple[str, int]], *, label: str, top: int = 8) -> Markup:
    """Horizontal bars of the `top` largest counts (event types, named by their label), the
    rest summed as "Other", each with its count. `label` names the chart."""
    ranked = sorted(((name, max(0, n)) for name, n in counts), key=lambda c: (-c[1], c[0]))
    rows = [(type_label(name), n) for name, n in ranked[:top] if n > 0]
    rest = sum(n for _, n in ranked[top:])
    if rest > 0:
        rows.append((OTHER, rest))
    row_h, pad, name_w = 26, 14, 190
    height = max(80, pad * 2 + row_h * len(rows))
    total = sum(n for _, n in rows)
    desc = (
        "; ".join(f"{name}: {n:,} ({n / total:.0%})" for name, n in rows)
        if total
        else "No events yet."
    )
    chart = Svg(label, height, desc)
    chart.rect(0, 0, _WIDTH, height, PALETTE["panel"], rx=8)
    if total == 0:
        chart.text(_WIDTH / 2, height / 2 + 4, "No events yet", "middle", muted=True)
        return chart.markup()
    peak = rows[0][1] if rows[0][0] != OTHER else max(n for _, n in rows)
    count_w = 64
    bar_space = _WIDTH - pad * 2 - name_w - count_w
    for index, (name, n) in enumerate(rows):
        y = pad + index * row_h
        colour = PALETTE["muted"] if name == OTHER else SERIES_COLOURS[0]
        width = max(2.0, bar_space * n / peak)
        chart.open_group(f"{name}: {n:,} events")
        chart.text(pad + name_w - 8, y + row_h / 2 + 4, _fit(name, 28), "end")
        chart.rect(pad + name_w, y + 5, width, row_h - 10, colour, rx=3)
        chart.text(pad + name_w + width + 6, y + row_h / 2 + 4, f"{n:,}", "start", muted=True)
        chart.close_group()
    return chart.markup()


# -- drawing ------------------------------------------------------------------------------------
class Svg:
    """An SVG document being written; every text goes through `escape`. Public so the
    journey charts (journeycharts.py) draw with the same pen."""

    def __init__(self, label: str, height: int, desc: str, *, width: int = _WIDTH) -> None:
        ident = "chart-" + hashlib.sha256(f"{label}\n{desc}".encode()).hexdigest()[:10]
        self._parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'role="img" aria-label="{escape(label)}" '
            f'aria-labelledby="{ident}-title {ident}-desc" {_FONT} font-size="12" '
            f'preserveAspectRatio="xMidYMid meet" class="chart">',
            f'<title id="{ident}-title">{escape(label)}</title>',
            f'<desc id="{ident}-desc">{escape(desc)}</desc>',
        ]

    def rect(self, x: float, y: float, w: float, h: float, fill: str, *, rx: float = 0) -> None:
        corner = f' rx="{rx:g}"' if rx else ""
        self._parts.append(
            f'<rect x="{x:.2f}" y="{y:.2f}" width="{w:.2f}" height="{h:.2f}"{corner} '
            f'fill="{fill}"/>'
        )

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str) -> None:
        self._parts.append(
            f'<line x1="{x1:.2f}" y1="{y1:.2f}" x2="{x2:.2f}" y2="{y2:.2f}" '
            f'stroke="{stroke}" stroke-width="1"/>'
        )

    def text(
        self,
        x: float,
        y: float,
        words: str,
        anchor: str,
        *,
        muted: bool = False,
        fill: str | None = None,
    ) -> None:
        colour = fill or (PALETTE["muted"] if muted else PALETTE["text"])
        self._parts.append(
            f'<text x="{x:.2f}" y="{y:.2f}" text-anchor="{anchor}" fill="{colour}">'
            f"{escape(words)}</text>"
        )

    def open_group(self, tooltip: str) -> None:
        self._parts.append(f"<g><title>{escape(tooltip)}</title>")

    def close_group(self) -> None:
        self._parts.append("</g>")

    def markup(self) -> Markup:
        # Every piece above is either our own markup or escaped text.
        return Markup("".join([*self._parts, "</svg>"]))  # noqa: S704  # nosec B704


def _legend(chart: Svg, names: Sequence[str], colours: Mapping[str, str], left: float) -> None:
    x = left
    for name in names:
        shown = _fit(type_label(name) if name != OTHER else OTHER, 28)
        chart.rect(x, 12, 10, 10, colours.get(name, PALETTE["muted"]), rx=2)
        chart.text(x + 14, 21, shown, "start")
        x += 24 + 6.6 * len(shown)
        if x > _WIDTH - 60:
            break  # the desc lists every series; the legend shows what fits on one line


# -- scales, ticks and words -------------------------------------------------------------------
def _series(days: Sequence[Day]) -> list[str]:
    """The stacked types, in the order the days first list them."""
    seen: dict[str, None] = {}
    for day in days:
        for name, _ in day.by_type:
            seen.setdefault(name, None)
    return list(seen)


def _stack(day: Day, series: Sequence[str]) -> Iterable[tuple[str, int]]:
    counts = {name: max(0, n) for name, n in day.by_type}
    listed = 0
    for name in series:
        n = counts.get(name, 0)
        if n:
            listed += n
            yield name, n
    rest = max(0, day.total) - listed
    if rest > 0:
        yield OTHER, rest


def _has_other(days: Sequence[Day], series: Sequence[str]) -> bool:
    return any(n for day in days for name, n in _stack(day, series) if name == OTHER)


def _nice_scale(peak: int) -> tuple[int, int]:
    """A gridline step of 1, 2 or 5 times a power of ten giving 2-5 lines up to the first
    multiple of it at or above `peak`: (step, top of the scale)."""
    rough = peak / 4
    power = 10 ** max(0, math.floor(math.log10(rough))) if rough >= 1 else 1
    for factor in (1, 2, 5, 10):
        step = factor * power
        if peak / step <= 5:
            break
    step = max(1, int(step))
    return step, step * math.ceil(peak / step)


def _compact(value: int) -> str:
    """`950`, `1.2k`, `15k`, `2.5M`: short y labels."""
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if value >= size:
            scaled = value / size
            text = f"{scaled:.1f}".rstrip("0").rstrip(".") if scaled < 10 else f"{scaled:.0f}"
            return text + suffix
    return str(value)


def _day_name(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _ticks(dates: Sequence[date]) -> list[tuple[int, str]]:
    """(bar index, label): every day up to 10 days; weekly (ending today) up to a month;
    the 1st and 15th up to four months; month starts beyond, with the year on January."""
    n = len(dates)
    if n == 0:
        return []
    if n <= 10:
        return [(i, f"{d.day} {_MONTHS[d.month - 1]}") for i, d in enumerate(dates)]
    if n <= 31:
        return [
            (i, f"{d.day} {_MONTHS[d.month - 1]}")
            for i, d in enumerate(dates)
            if (n - 1 - i) % 7 == 0
        ]
    if n <= 120:
        return [
            (i, f"{d.day} {_MONTHS[d.month - 1]}") for i, d in enumerate(dates) if d.day in (1, 15)
        ]
    ticks = []
    for i, d in enumerate(dates):
        if d.day == 1:
            ticks.append((i, f"{_MONTHS[0]} {d.year}" if d.month == 1 else _MONTHS[d.month - 1]))
    return ticks


def _timeline_desc(days: Sequence[Day], totals: Sequence[int], series: Sequence[str]) -> str:
    total = sum(totals)
    if not days:
        return "No days to show."
    span = f"{_day_name(days[0].date)} to {_day_name(days[-1].date)}"
    if total == 0:
        return f"No events from {span}."
    busiest = max(range(len(days)), key=lambda i: (totals[i], -i))
    kinds = ", ".join(type_label(name) for name in series)
    active = sum(1 for t in totals if t)
    text = (
        f"{total:,} events from {span} on {active} of {len(days)} days; busiest day "
        f"{_day_name(days[busiest].date)} with {totals[busiest]:,} events."
    )
    return text + (f" Stacked by type: {kinds}, then other types." if kinds else "")


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
