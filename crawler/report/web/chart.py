"""Charts as inline SVG, drawn on the server: no script, nothing loaded from elsewhere.

A bar per day, scaled to the busiest day, each bar carrying a `<title>` (the browser
shows it on hover: "2026-01-04: 5 reports"). The SVG holds no text of its own: labels
are HTML around it, so they keep their size when the chart shrinks to a phone's width
(the SVG stretches to its box, `preserveAspectRatio="none"`). Every string is escaped
here, since outlet names come from config and feeds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from crawler.report.web.filters import Day
from crawler.report.wording import plural

WIDTH = 1000  # viewBox units; the SVG is stretched to its box
HEIGHT = 100
GAP = 0.15  # of each day's slot, left empty between bars


@dataclass(frozen=True)
class Series:
    """One row of bars: what it counts, per day label, and the busiest day's count."""

    noun: str
    counts: Mapping[str, int]
    total: int
    peak: int


def series(noun: str, counts: Mapping[str, int], days: Sequence[Day]) -> Series:
    shown = [counts.get(day.label, 0) for day in days]
    return Series(noun, counts, sum(shown), max(shown, default=0))


def bars(row: Series, days: Sequence[Day], *, css: str, height: int = HEIGHT) -> Markup:
    """One series as bars, one slot per day, tallest bar the full height."""
    slot = WIDTH / max(len(days), 1)
    parts = []
    for n, day in enumerate(days):
        count = row.counts.get(day.label, 0)
        tall = height * count / row.peak if row.peak else 0
        if count and tall < 2:
            tall = 2  # a day with one report among hundreds still shows
        tip = escape(f"{day.label}: {plural(count, row.noun)}")
        parts.append(
            f'<rect x="{n * slot + slot * GAP / 2:.2f}" y="{height - tall:.2f}" '
            f'width="{slot * (1 - GAP):.2f}" height="{max(tall, 0.0):.2f}">'
            f"<title>{tip}</title></rect>"
            if count
            else f'<rect class="newsmon-empty" x="{n * slot:.2f}" y="{height - 1}" '
            f'width="{slot:.2f}" height="1"><title>{tip}</title></rect>'
        )
    label = escape(f"{plural(row.total, row.noun)}, at most {row.peak} a day")
    return Markup(
        f'<svg class="newsmon-chart {escape(css)}" viewBox="0 0 {WIDTH} {height}" '
        f'preserveAspectRatio="none" role="img" aria-label="{label}" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'
    )


def strip(counts: Mapping[str, int], days: Sequence[Day], peak: int, noun: str) -> Markup:
    """One outlet's days as a strip of cells, darker the busier (scaled to `peak`)."""
    slot = WIDTH / max(len(days), 1)
    parts = []
    for n, day in enumerate(days):
        count = counts.get(day.label, 0)
        shade = 0.15 + 0.85 * count / peak if count and peak else 0
        tip = escape(f"{day.label}: {plural(count, noun)}")
        parts.append(
            f'<rect x="{n * slot:.2f}" y="0" width="{slot * (1 - GAP / 2):.2f}" height="20" '
            f'fill-opacity="{shade:.2f}"><title>{tip}</title></rect>'
        )
    return Markup(
        f'<svg class="newsmon-chart newsmon-strip" viewBox="0 0 {WIDTH} 20" '
        f'preserveAspectRatio="none" role="img" aria-label="{escape(noun)} per day" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'
    )
