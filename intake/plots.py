"""A tiny server-rendered SVG line chart for outcome trends, with the change threshold's band shaded.

No JavaScript and no charting library: the points, the axes, a dashed baseline and a rectangle from
baseline - threshold to baseline + threshold: the same threshold that labels the points (intake.scoring), so a
point inside the band is within measurement error and a point on its edge or beyond is a meaningful change.
A meaningful worsening is drawn as a large red triangle with a legend: shape and words, not colour alone.
The page puts a table of the same numbers under the chart for screen readers and print.
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


WORSE = "#b02a37"


def _triangle(cx, cy, size=7):
    return f"{cx:.1f},{cy - size:.1f} {cx - size:.1f},{cy + size * 0.8:.1f} {cx + size:.1f},{cy + size * 0.8:.1f}"


def line_chart(points, *, low, high, baseline=None, threshold=None, title, unit="", higher_is_better=None,
               worsened=(), demo_wording=False):
    """Return an SVG (safe HTML) plotting `points` [(datetime, value)] on a low..high scale; the points at the
    indices in `worsened` are meaningful worsenings."""
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
    if threshold and baseline is not None:
        desc += (f"; shaded band: baseline {_fmt(baseline)} plus or minus {_fmt(threshold)}, the smallest meaningful "
                 f"change; a point on its edge or beyond is a meaningful change")
    if worsened:
        desc += f"; {len(worsened)} meaningful worsening{'s' if len(worsened) != 1 else ''} (red triangles)"
    if better:
        desc += f"; {better}"
    if demo_wording:
        desc += "; demo wording: not a real score"
    parts = [
        f'<svg class="trend-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="t{uid} d{uid}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="t{uid}">{escape(title)}</title><desc id="d{uid}">{escape(desc)}</desc>',
    ]
    if threshold and baseline is not None:
        top, bottom = y(baseline + threshold), y(baseline - threshold)
        parts.append(
            f'<rect class="change-band" fill="#cfe2ff" fill-opacity="0.7" x="{LEFT}" y="{top:.1f}" width="{plot_w}" height="{bottom - top:.1f}">'
            f"<title>Less than {_fmt(threshold)} from the baseline {_fmt(baseline)}: within measurement error, "
            f"no meaningful change</title></rect>"
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
            label = f"{escape(_day(moment))}: {_fmt(value)}{escape(unit)}"
            if i in worsened:
                parts.append(
                    f'<polygon class="point worsened" fill="{WORSE}" stroke="#fff" stroke-width="1.5" '
                    f'points="{_triangle(x(i), y(value))}"><title>{label}: meaningful worsening</title></polygon>'
                )
            else:
                parts.append(
                    f'<circle class="point" fill="#14505c" stroke="#fff" stroke-width="1.5" cx="{x(i):.1f}" cy="{y(value):.1f}" r="4">'
                    f"<title>{label}</title></circle>"
                )
        label_y = TOP + plot_h + 16
        parts.append(f'<text class="tick" font-size="11" fill="#495057" x="{LEFT}" y="{label_y}" text-anchor="start">{escape(_day(points[0][0]))}</text>')
        if len(points) > 1 and t1 != t0:
            parts.append(
                f'<text class="tick" font-size="11" fill="#495057" x="{WIDTH - RIGHT}" y="{label_y}" text-anchor="end">{escape(_day(points[-1][0]))}</text>'
            )
    legend = " · ".join(t for t in (better, "demo wording" if demo_wording else "") if t)
    if legend:
        parts.append(f'<text class="tick legend" font-size="11" font-style="italic" fill="#495057" x="{WIDTH - RIGHT}" y="{HEIGHT - 4}" text-anchor="end">{legend}</text>')
    if worsened:
        parts.append(f'<text class="legend worsened" font-size="12" font-weight="bold" fill="{WORSE}" x="{LEFT}" y="{HEIGHT - 4}" text-anchor="start">▲ meaningful worsening</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every text above is escaped)
