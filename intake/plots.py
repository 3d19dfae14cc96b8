"""A tiny server-rendered SVG line chart for outcome trends, with the MCID band shaded.

No JavaScript and no charting library: the points, the axes, a dashed baseline and a rectangle from
baseline - MCID to baseline + MCID (changes inside it are smaller than the minimal clinically important
difference). The page puts a table of the same numbers under the chart for screen readers and print.
"""

import uuid

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH, HEIGHT = 480, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 14, 40


def _fmt(value):
    return f"{value:g}"


def _day(moment):
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return f"{local:%b} {local.day}, {local.year}"


def _ticks(low, high):
    span = high - low
    step = next((s for s in (1, 2, 5, 10, 20, 25, 50, 100) if span / s <= 6), span / 5 or 1)
    first = int(low // step) * step
    ticks, value = [], first
    while value <= high + 1e-9:
        if value >= low - 1e-9:
            ticks.append(value)
        value += step
    return ticks


def line_chart(points, *, low, high, baseline=None, mcid=None, title, unit="", higher_is_better=None):
    """Return an SVG (safe HTML) plotting `points` [(datetime, value)] on a low..high scale."""
    uid = uuid.uuid4().hex[:8]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    if high <= low:
        high = low + 1

    def y(value):
        value = min(max(value, low), high)
        return TOP + plot_h * (1 - (value - low) / (high - low))

    times = [p[0].timestamp() for p in points]
    t0, t1 = (min(times), max(times)) if times else (0, 0)

    def x(i):
        if t1 == t0:
            return LEFT + plot_w / 2 if len(points) == 1 else LEFT + plot_w * i / max(len(points) - 1, 1)
        return LEFT + plot_w * (times[i] - t0) / (t1 - t0)

    better = {True: "higher is better", False: "lower is better"}.get(higher_is_better, "")
    desc = f"{len(points)} measurement{'s' if len(points) != 1 else ''}"
    if points:
        desc += f", from {_fmt(points[0][1])}{unit} on {_day(points[0][0])} to {_fmt(points[-1][1])}{unit} on {_day(points[-1][0])}"
    if mcid and baseline is not None:
        desc += f"; shaded band: baseline {_fmt(baseline)} plus or minus the MCID of {_fmt(mcid)}"
    if better:
        desc += f"; {better}"
    parts = [
        f'<svg class="trend-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="t{uid} d{uid}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="t{uid}">{escape(title)}</title><desc id="d{uid}">{escape(desc)}</desc>',
    ]
    if mcid and baseline is not None:
        top, bottom = y(baseline + mcid), y(baseline - mcid)
        parts.append(
            f'<rect class="mcid-band" fill="#cfe2ff" fill-opacity="0.7" x="{LEFT}" y="{top:.1f}" width="{plot_w}" height="{bottom - top:.1f}">'
            f"<title>Within the MCID ({_fmt(mcid)}) of the baseline {_fmt(baseline)}: no important change</title></rect>"
        )
    for tick in _ticks(low, high):
        ty = y(tick)
        parts.append(f'<line class="grid" stroke="#e9ecef" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}"/>')
        parts.append(f'<text class="tick" font-size="11" fill="#495057" x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end">{_fmt(tick)}</text>')
    parts.append(f'<line class="axis" stroke="#6c757d" x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + plot_h}"/>')
    parts.append(f'<line class="axis" stroke="#6c757d" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}"/>')
    if baseline is not None:
        by = y(baseline)
        parts.append(f'<line class="baseline" stroke="#0a58ca" stroke-dasharray="4 3" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{by:.1f}" y2="{by:.1f}"/>')
    if points:
        coords = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, (_, v) in enumerate(points))
        parts.append(f'<polyline class="trend" fill="none" stroke="#14505c" stroke-width="2" points="{coords}"/>')
        for i, (moment, value) in enumerate(points):
            parts.append(
                f'<circle class="point" fill="#14505c" stroke="#fff" stroke-width="1.5" cx="{x(i):.1f}" cy="{y(value):.1f}" r="4">'
                f"<title>{escape(_day(moment))}: {_fmt(value)}{escape(unit)}</title></circle>"
            )
        label_y = TOP + plot_h + 16
        parts.append(f'<text class="tick" font-size="11" fill="#495057" x="{LEFT}" y="{label_y}" text-anchor="start">{escape(_day(points[0][0]))}</text>')
        if len(points) > 1 and t1 != t0:
            parts.append(
                f'<text class="tick" font-size="11" fill="#495057" x="{WIDTH - RIGHT}" y="{label_y}" text-anchor="end">{escape(_day(points[-1][0]))}</text>'
            )
    if better:
        parts.append(f'<text class="tick legend" font-size="11" font-style="italic" fill="#495057" x="{WIDTH - RIGHT}" y="{HEIGHT - 4}" text-anchor="end">{better}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every text above is escaped)
