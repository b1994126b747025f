"""Turning the core's message ids into text: gettext catalogs and Babel formats."""
from __future__ import annotations

import gettext
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from quiz.conversation.messages import Msg
from quiz.model import LOCALES, pick
from quiz.problems import Problem

DOMAIN = "messages"
_BABEL_LOCALE = {"vi": "vi_VN", "en": "en_GB"}
# One way of writing a moment in every language, as Vietnamese notices do: "08:30 20/06/2024".
MOMENT, DAY = "HH:mm dd/MM/yyyy", "dd/MM/yyyy"


def clock(delta: timedelta) -> str:
    """A duration as m:ss or h:mm:ss."""
    seconds = max(int(delta.total_seconds()), 0)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


class Translator:
    """Renders Msg trees in one of the catalog locales."""

    def __init__(self, locales_dir: Path, *, tz: str = "Asia/Ho_Chi_Minh") -> None:
        self.tz = ZoneInfo(tz)
        self._catalogs = {code: gettext.translation(DOMAIN, localedir=str(locales_dir), languages=[code], fallback=True)
                          for code in LOCALES}

    def has(self, locale: str, msg_id: str) -> bool:
        return self._catalogs[locale].gettext(msg_id) != msg_id

    def text(self, msg: Msg, locale: str) -> str:
        template = self._catalogs.get(locale, self._catalogs["vi"]).gettext(msg.id)
        params = {k: self.value(v, locale) for k, v in msg.params.items()}
        try:
            return template.format(**params)
        except (KeyError, IndexError, ValueError):
            return template

    def value(self, value: Any, locale: str) -> str:
        babel = _BABEL_LOCALE.get(locale, "vi_VN")
        if isinstance(value, Msg):
            return self.text(value, locale)
        if isinstance(value, bool):
            return self.text(Msg("common.yes") if value else Msg("common.no"), locale)
        if isinstance(value, int):  # most are a question's number or a count under a thousand: no grouping
            return str(value) if 0 <= value < 1000 else format_decimal(value, locale=babel)
        if isinstance(value, datetime):
            return format_datetime(value.astimezone(self.tz), MOMENT, tzinfo=self.tz, locale=babel)
        if isinstance(value, date):
            return format_date(value, DAY, locale=babel)
        if isinstance(value, timedelta):
            return clock(value)
        if isinstance(value, Mapping):
            return pick(value, locale)
        if isinstance(value, (tuple, list)):
            return "\n".join(self.value(v, locale) for v in value)
        if value is None:
            return "—"
        return str(value)

    def problem(self, problem: Problem, locale: str) -> tuple[str, str]:
        """Where a problem is, as the organiser sees the file ("dòng 12 (STT 11)"), and what it is."""
        where = self.text(Msg("problem.at_row", row=problem.row, number=problem.number), locale) \
            if problem.number else problem.where
        return where, self.text(Msg(problem.message_id, **problem.params), locale)
