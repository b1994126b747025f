"""The report as text: message ids from the catalogs, so it reads the same wherever it is sent."""
from __future__ import annotations

from babel.numbers import format_percent

from bot.i18n import Translator
from quiz.conversation.messages import Msg
from quiz.services.reports import DailyFigures
from quiz.units import UnitStats

CAPTION_LIMIT = 1024  # characters in a photo caption
MESSAGE_LIMIT = 4096  # characters in a text message
_BABEL = {"vi": "vi_VN", "en": "en_GB"}


def report_text(f: DailyFigures, t: Translator, locale: str = "vi") -> str:
    """Totals, today against yesterday, and the units at the top and at the bottom."""
    day, time = f.day.strftime("%d/%m/%Y"), f.as_of.strftime("%H:%M")
    lines = [t.text(Msg("report.header", day=day, title=f.title, time=time), locale), "",
             t.text(Msg("report.participants", total=f.participants, today=f.today.registered,
                        yesterday=f.yesterday.registered), locale),
             t.text(Msg("report.active", today=f.today.participants, yesterday=f.yesterday.participants), locale),
             t.text(Msg("report.attempts", total=f.attempts, today=f.today.attempts,
                        yesterday=f.yesterday.attempts), locale),
             t.text(Msg("report.all_correct", count=f.all_correct), locale)]
    kind = "rate" if f.by_rate else "count"
    for heading, units, first in ((f"report.top_{kind}", f.top, 1),
                                  (f"report.bottom_{kind}", f.bottom, len(f.top) + 1)):
        if units:
            lines += ["", t.text(Msg(heading, count=len(units)), locale)]
            lines += [_unit_line(u, place, f.by_rate, t, locale) for place, u in enumerate(units, start=first)]
    return "\n".join(lines)


def _unit_line(u: UnitStats, place: int, by_rate: bool, t: Translator, locale: str) -> str:
    if by_rate:
        rate = format_percent(u.rate or 0.0, "#,##0.00%", locale=_BABEL.get(locale, "vi_VN"))
        return t.text(Msg("report.unit_rate", place=place, name=u.name, rate=rate, participants=u.participants), locale)
    return t.text(Msg("report.unit_count", place=place, name=u.name, participants=u.participants), locale)


def split_for_photo(text: str) -> tuple[str, list[str]]:
    """A caption of whole lines within Telegram's limit, and the rest as messages within theirs."""
    caption, rest = _take(text.split("\n"), CAPTION_LIMIT)
    messages: list[str] = []
    while rest:
        chunk, rest = _take(rest, MESSAGE_LIMIT)
        messages.append(chunk)
    return caption, [m for m in messages if m.strip()]


def _take(lines: list[str], limit: int) -> tuple[str, list[str]]:
    taken: list[str] = []
    size = 0
    for i, line in enumerate(lines):
        line = line[:limit]  # a single over-long line is cut rather than lost
        if size + len(line) + (1 if taken else 0) > limit:
            return "\n".join(taken).strip("\n"), lines[i:]
        size += len(line) + (1 if taken else 0)
        taken.append(line)
    return "\n".join(taken).strip("\n"), []
