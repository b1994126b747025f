"""Today's participation by unit as a PNG, drawn with matplotlib's Agg canvas (no display, no network).

DejaVu Sans ships with matplotlib and has every Vietnamese letter, so the chart needs no
font from the system or the internet."""
from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.i18n import Translator
from quiz.conversation.messages import Msg
from quiz.services.reports import DailyFigures

FONT = "DejaVu Sans"
MAX_UNITS = 30  # more bars than this would be unreadable on a phone
TODAY, YESTERDAY = "#1d6fb8", "#b9cfe6"


def render_chart(f: DailyFigures, t: Translator, locale: str = "vi") -> bytes:
    """A horizontal bar per unit, most active first: participants today, and yesterday beside it."""
    shown = f.units[:MAX_UNITS]
    rows = max(len(shown), 1)
    fig = Figure(figsize=(8.0, 1.6 + 0.42 * rows), dpi=120)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    title = t.text(Msg("report.chart_title", day=f.day.strftime("%d/%m/%Y")), locale)
    ax.set_title(title, fontfamily=FONT, fontsize=13, loc="left", fontweight="bold")
    if not any(u.today or u.yesterday for u in shown):
        ax.text(0.5, 0.5, t.text(Msg("report.chart_empty"), locale), ha="center", va="center", fontfamily=FONT,
                fontsize=12, transform=ax.transAxes)
        ax.set_axis_off()
    else:
        ys = [rows - 1 - i for i in range(len(shown))]
        height = 0.38
        today = t.text(Msg("report.chart_today", time=f.as_of.strftime("%H:%M")), locale)
        ax.barh([y + height / 2 for y in ys], [u.today for u in shown], height=height, color=TODAY, label=today)
        ax.barh([y - height / 2 for y in ys], [u.yesterday for u in shown], height=height, color=YESTERDAY,
                label=t.text(Msg("report.chart_yesterday"), locale))
        top = max(max(u.today, u.yesterday) for u in shown)
        for y, u in zip(ys, shown, strict=True):
            for value, dy, colour in ((u.today, height / 2, "#1f2937"), (u.yesterday, -height / 2, "#6b7280")):
                ax.text(value + top * 0.01, y + dy, f"{value:,}".replace(",", "."), va="center", fontfamily=FONT,
                        fontsize=9, color=colour)
        ax.set_yticks(ys, [u.name for u in shown], fontfamily=FONT, fontsize=10)
        ax.set_xlim(0, top * 1.12 or 1)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(axis="x", color="#e3e8ef")
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.legend(loc="lower right", prop={"family": FONT, "size": 9}, frameon=False)
        for label in ax.get_xticklabels():
            label.set_fontfamily(FONT)
    if len(f.units) > MAX_UNITS:
        fig.text(0.01, 0.01, t.text(Msg("report.chart_more", count=len(f.units) - MAX_UNITS), locale),
                 fontfamily=FONT, fontsize=9, color="#6b7280")
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
