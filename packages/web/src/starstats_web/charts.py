"""The `Svg` pen and `PALETTE` the web app's charts draw with (journeycharts.py). Pure: no
I/O and no script.

Every chart has a `viewBox` and no fixed size (it scales to its container, a phone too),
`role="img"` with a `<title>` and a `<desc>` that say in words what it shows, and escapes every
text it draws. Colours are `PALETTE`'s, the web app's dark theme.
"""

import hashlib
from collections.abc import Mapping
from types import MappingProxyType

from markupsafe import Markup, escape

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

_WIDTH = 720


def escaped(text: str) -> str:
    """`text` with markupsafe's escapes (the same output as `str(escape(text))`), as a plain
    str: a heatmap escapes about 1,100 short texts a render, and five C replaces (0.27 µs)
    beat markupsafe's escape with its `Markup` (0.63 µs) and `str.translate` (1.1 µs)."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&#34;")
        .replace("'", "&#39;")
    )


_FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"'


class Svg:
    """An SVG document being written; every text goes through `escape`."""

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

    def tile(self, x: float, y: float, size: float, fill: str, tooltip: str) -> None:
        """A square with rounded corners and its own tooltip (a heatmap's day: hundreds of
        them, so one piece each instead of a group, a rect and its close)."""
        self._parts.append(
            f'<g><title>{escaped(tooltip)}</title><rect x="{x:.2f}" y="{y:.2f}" '
            f'width="{size:.2f}" height="{size:.2f}" rx="2" fill="{fill}"/></g>'
        )

    def open_group(self, tooltip: str) -> None:
        self._parts.append(f"<g><title>{escape(tooltip)}</title>")

    def close_group(self) -> None:
        self._parts.append("</g>")

    def markup(self) -> Markup:
        # Every piece above is either our own markup or escaped text.
        return Markup("".join([*self._parts, "</svg>"]))  # noqa: S704  # nosec B704
