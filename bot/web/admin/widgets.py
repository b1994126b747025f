"""Small pieces several pages show: round tabs, download links, figure cards, pagination."""
from __future__ import annotations

from collections.abc import Sequence

from bot.web.admin.html import Markup, html, join, number, url
from bot.web.admin.vi import T
from quiz.model import Round, pick


def round_tabs(path: str, rounds: Sequence[Round], current: Round | None, *, extra: Sequence[tuple[str, str]] = (),
               **keep: object) -> Markup:
    """Links to the same page for each round (and `extra` (code, label) choices first)."""
    choices = [*extra, *((r.code, pick(r.title, "vi")) for r in rounds)]
    code = current.code if current else ""
    links = join(html('<a href="{href}"{cur}>{label}</a>', href=url(path, round=c, **keep), label=label,
                      cur=Markup(' aria-current="true"') if c == code else "")
                 for c, label in choices)
    return html('<nav class="rounds" aria-label="{t}">{links}</nav>', t=T["round"], links=links)


def downloads(kind: str, **query: object) -> Markup:
    """Links to the XLSX and CSV exports of `kind` (leaderboard, winners, units, days)."""
    return html('<p class="downloads"><span>{t}:</span> <a class="button" href="{x}" download>{xl}</a> '
                '<a class="button secondary" href="{c}" download>{cl}</a></p>', t=T["export"],
                x=url(f"/admin/export/{kind}.xlsx", **query), xl=T["export.xlsx"],
                c=url(f"/admin/export/{kind}.csv", **query), cl=T["export.csv"])


def delta(today: int, yesterday: int) -> Markup:
    """Today against yesterday: "▲ 25% so với hôm qua (40)"."""
    if yesterday == 0:
        change, cls = ("mới" if today else "±0"), ("up" if today else "flat")
    else:
        pct = (today - yesterday) / yesterday * 100
        arrow = "▲" if pct > 0 else "▼" if pct < 0 else "±"
        change, cls = f"{arrow} {abs(pct):.0f}%", "up" if pct > 0 else "down" if pct < 0 else "flat"
    return html('<span class="delta {cls}">{change}</span> <span class="muted">{y}: {n}</span>',
                cls=cls, change=change, y=T["overview.yesterday"], n=number(yesterday))


def card(label: str, value: int, detail: Markup | str = "") -> Markup:
    return html('<section class="card"><h2>{label}</h2><p class="figure">{value}</p><p class="detail">{detail}</p>'
                '</section>', label=label, value=number(value), detail=detail)


def pager(path: str, page: int, pages: int, **keep: object) -> Markup:
    if pages <= 1:
        return Markup("")
    prev = html('<a href="{h}" rel="prev">{t}</a>', h=url(path, page=page - 1, **keep), t=T["board.prev"]) \
        if page > 1 else Markup("")
    nxt = html('<a href="{h}" rel="next">{t}</a>', h=url(path, page=page + 1, **keep), t=T["board.next"]) \
        if page < pages else Markup("")
    return html('<nav class="pager">{prev}<span>{at}</span>{next}</nav>', prev=prev, next=nxt,
                at=T["board.page"].format(page=page, pages=pages))


def table(headers: Sequence[str], rows: Sequence[Markup], *, cls: str = "", numeric: Sequence[int] = ()) -> Markup:
    """A table; `numeric` column indexes are right-aligned."""
    head = join(html('<th scope="col"{c}>{h}</th>', h=h, c=Markup(' class="num"') if i in numeric else "")
                for i, h in enumerate(headers))
    return html('<div class="table-wrap"><table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody>'
                '</table></div>', cls=cls, head=head, rows=join(rows))


def cells(values: Sequence[object], *, numeric: Sequence[int] = ()) -> Markup:
    return html("<tr>{c}</tr>", c=join(html('<td{cls}>{v}</td>', v=v,
                                            cls=Markup(' class="num"') if i in numeric else "")
                                       for i, v in enumerate(values)))
