"""Line accounting of a parse: how many lines of each kind, events by type, unknown shapes."""

from collections import Counter
from dataclasses import dataclass, field

# The integer counters of `ParseStats`, in the order reports list them.
LINE_COUNTS = (
    "lines",
    "structured",
    "continuation",
    "blank",
    "event_lines",
    "silent",
    "noise",
    "unknown_lines",
    "duplicates",
    "truncated_lines",
    "rule_errors",
)


@dataclass(slots=True)
class ShapeStat:
    """How often one unknown shape occurred, with the first (PII-scrubbed) line seen."""

    shape: str
    count: int
    sample: str


@dataclass(slots=True)
class ParseStats:
    """Line accounting. Invariants: lines == structured + continuation + blank, and
    structured == event_lines + silent + noise + unknown_lines."""

    lines: int = 0
    structured: int = 0
    continuation: int = 0
    blank: int = 0
    event_lines: int = 0
    silent: int = 0
    noise: int = 0
    unknown_lines: int = 0
    duplicates: int = 0
    truncated_lines: int = 0
    rule_errors: int = 0
    events: Counter[str] = field(default_factory=Counter)
    shapes: dict[str, ShapeStat] = field(default_factory=dict)

    def merge(self, other: "ParseStats") -> None:
        """Add `other`'s counts to these (a shape keeps the sample seen first)."""
        for name in LINE_COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.events.update(other.events)
        for shape in other.shapes.values():
            if shape.count:
                mine = self.shapes.setdefault(shape.shape, ShapeStat(shape.shape, 0, shape.sample))
                mine.count += shape.count

    def top_shapes(self, limit: int | None = None) -> list[ShapeStat]:
        """Unknown shapes, most frequent first (ties by shape text, for stable output)."""
        ordered = sorted(
            (s for s in self.shapes.values() if s.count), key=lambda s: (-s.count, s.shape)
        )
        return ordered if limit is None else ordered[:limit]
