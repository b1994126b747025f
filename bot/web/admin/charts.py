"""Charts drawn on the server as inline SVG: no script, no CDN, readable when printed.

Colours come from the style sheet (classes .bar, .line, .grid…), with presentation
attributes as a fallback so a chart saved on its own still looks right."""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from bot.web.admin.html import Markup, html, join, number

FONT = 13
CHAR_W = 7.4  # average advance of a 13 px sans-serif glyph (accents included), for layout


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    text: str = ""  # what the bar end reads, e.g. "16 người · 20 lượt"; the value by default


@dataclass(frozen=True, slots=True)
class DayPoint:
    day: date
    bars: int  # e.g. attempts
    line: int  # e.g. participants


def axis(value: float, *, most: int = 5) -> tuple[int, int]:
    """A whole step of 1, 2 or 5 × 10^k and how many steps cover `value` in at most `most` ticks."""
    top = max(1.0, value)
    power = 1
    while True:
        for step in (power, 2 * power, 5 * power):
            count = math.ceil(top / step)
            if count <= most:
                return step, count
        power *= 10


def _fit(label: str, width: float) -> str:
    room = max(3, int(width / CHAR_W))
    return label if len(label) <= room else label[:room - 1] + "…"


def _frame(ident: str, title: str, width: float, height: float, inner: Markup, desc: str = "") -> Markup:
    return html('<figure class="chart"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" '
                'role="img" aria-labelledby="{id}-t {id}-d" font-size="{fs}" '
                'font-family="system-ui, \'Segoe UI\', Roboto, \'Noto Sans\', sans-serif">'
                '<title id="{id}-t">{title}</title><desc id="{id}-d">{desc}</desc>{inner}</svg>'
                '<figcaption>{title}</figcaption></figure>',
                w=f"{width:g}", h=f"{height:g}", id=ident, fs=FONT, title=title, desc=desc, inner=inner)


def bar_chart(bars: Sequence[Bar], *, ident: str, title: str, width: int = 1080,
              fmt: Callable[[float], str] = lambda v: number(int(v))) -> Markup:
    """Horizontal bars in the order given, labels on the left and values at the bar ends."""
    row, top, bottom = 30, 12, 28
    label_w = min(260.0, max(80.0, max((len(b.label) for b in bars), default=8) * CHAR_W + 20))
    note_w = max((len(b.text or fmt(b.value)) for b in bars), default=4) * CHAR_W + 16
    plot_w = max(120.0, width - label_w - note_w - 8)
    height = top + row * max(1, len(bars)) + bottom
    step, steps = axis(max((b.value for b in bars), default=0))
    scale = step * steps
    parts: list[Markup] = []
    for k in range(steps + 1):
        x = label_w + plot_w * k / steps
        parts.append(html('<line class="grid" x1="{x}" x2="{x}" y1="{y1}" y2="{y2}" stroke="#e3e8ef"/>'
                          '<text class="tick" x="{x}" y="{ty}" text-anchor="middle" fill="#6b7280">{v}</text>',
                          x=f"{x:.1f}", y1=top - 4, y2=height - bottom + 4, ty=height - 8,
                          v=fmt(step * k)))
    for i, b in enumerate(bars):
        y = top + i * row
        w = plot_w * (b.value / scale) if scale else 0
        value = b.text or fmt(b.value)
        parts.append(html(
            '<g class="row"><title>{full}: {value}</title>'
            '<text class="label" x="{lx}" y="{ty}" text-anchor="end" fill="#1f2937">{label}</text>'
            '<rect class="bar" x="{x}" y="{y}" width="{w}" height="{h}" rx="3" fill="#1d6fb8"/>'
            '<text class="value" x="{vx}" y="{ty}" fill="#1f2937">{value}</text></g>',
            full=b.label, label=_fit(b.label, label_w - 12), value=value, lx=f"{label_w - 8:.1f}",
            ty=f"{y + row / 2 + 4.5:.1f}", x=f"{label_w:.1f}", y=f"{y + 5:.1f}", w=f"{max(w, 1.5):.1f}",
            h=row - 10, vx=f"{label_w + w + 6:.1f}"))
    desc = "; ".join(f"{b.label}: {fmt(b.value)}" for b in bars[:40])
    return _frame(ident, title, width, height, join(parts), desc)


def day_chart(points: Sequence[DayPoint], *, ident: str, title: str, bar_label: str, line_label: str,
              width: int = 1080, height: int = 280) -> Markup:
    """Bars per day (e.g. attempts) with a line over them (e.g. participants), oldest day first."""
    left, right, top, bottom = 52, 16, 34, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    step, steps = axis(max((max(p.bars, p.line) for p in points), default=0))
    scale = step * steps
    n = max(1, len(points))
    slot = plot_w / n
    bar_w = min(slot * 0.7, 56.0)
    parts: list[Markup] = []
    for k in range(steps + 1):
        y = top + plot_h * (1 - k / steps)
        parts.append(html('<line class="grid" x1="{x1}" x2="{x2}" y1="{y}" y2="{y}" stroke="#e3e8ef"/>'
                          '<text class="tick" x="{tx}" y="{ty}" text-anchor="end" fill="#6b7280">{v}</text>',
                          x1=left, x2=width - right, y=f"{y:.1f}", tx=left - 6, ty=f"{y + 4:.1f}",
                          v=number(step * k)))
    every = max(1, math.ceil(n / (plot_w / 46)))  # a date label every `every` days, never overlapping
    line: list[str] = []
    for i, p in enumerate(points):
        x = left + slot * i
        h = plot_h * p.bars / scale
        cx, cy = x + slot / 2, top + plot_h * (1 - p.line / scale)
        line.append(f"{cx:.1f},{cy:.1f}")
        parts.append(html(
            '<g class="day"><title>{d}: {bars} {bl}, {line} {ll}</title>'
            '<rect class="bar" x="{x}" y="{y}" width="{w}" height="{h}" rx="2" fill="#1d6fb8"/></g>',
            d=p.day.strftime("%d/%m/%Y"), bars=number(p.bars), bl=bar_label, line=number(p.line), ll=line_label,
            x=f"{cx - bar_w / 2:.1f}", y=f"{top + plot_h - h:.1f}", w=f"{bar_w:.1f}", h=f"{h:.1f}"))
        if i % every == 0 or i == n - 1:
            parts.append(html('<text class="tick" x="{x}" y="{y}" text-anchor="middle" fill="#6b7280">{d}</text>',
                              x=f"{cx:.1f}", y=height - 10, d=p.day.strftime("%d/%m")))
    if points:
        parts.append(html('<polyline class="line" points="{pts}" fill="none" stroke="#e07b00" stroke-width="2.5"/>',
                          pts=" ".join(line)))
        parts += [html('<circle class="dot" cx="{x}" cy="{y}" r="3.5" fill="#e07b00"/>', x=xy.split(",")[0],
                       y=xy.split(",")[1]) for xy in line]
    parts.append(html(
        '<g class="legend"><rect class="bar" x="{x}" y="8" width="12" height="12" rx="2" fill="#1d6fb8"/>'
        '<text x="{tx}" y="18" fill="#1f2937">{bl}</text>'
        '<line class="line" x1="{lx}" x2="{lx2}" y1="14" y2="14" stroke="#e07b00" stroke-width="2.5"/>'
        '<text x="{ltx}" y="18" fill="#1f2937">{ll}</text></g>',
        x=left, tx=left + 18, bl=bar_label, lx=left + 40 + len(bar_label) * CHAR_W,
        lx2=left + 58 + len(bar_label) * CHAR_W, ltx=left + 64 + len(bar_label) * CHAR_W, ll=line_label))
    desc = "; ".join(f"{p.day:%d/%m}: {p.bars} {bar_label}, {p.line} {line_label}" for p in points[-31:])
    return _frame(ident, title, width, height, join(parts), desc)
