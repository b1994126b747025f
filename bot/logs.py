"""Log lines as an operator reads them (LOG_FORMAT=text) or as a log shipper does (LOG_FORMAT=json: one
JSON object per line), never with personal data in either.

Two guards for the data nobody may log: a traceback is written without the exceptions' messages
(bot.failures: a database error quotes the phone number it could not store, a parser the text it
read), and anything that looks like a Vietnamese phone number is masked in every line. Names and
typed text are never put in a log call in the first place; what remains in a message is ids, kinds
and counts."""
from __future__ import annotations

import json
import logging
import os
import re
from datetime import UTC, datetime
from typing import Any

from bot.failures import traceback_without_messages

FORMATS = ("text", "json")
# 0912345678, 84912345678, +84 912 345 678, 024 3826 1234: a mobile or landline number, however spaced.
_PHONE = re.compile(r"(?<![\d+])(?:\+?84|0)[\s.-]?(?:[35789](?:[\s.-]?\d){8}|2(?:[\s.-]?\d){9})(?!\d)")
MASK = "[phone]"


def mask_phones(text: str) -> str:
    return _PHONE.sub(MASK, text)


class _Redacting(logging.Formatter):
    def formatException(self, ei: Any) -> str:  # noqa: N802 - logging's name
        return traceback_without_messages(ei[1]) if ei and ei[1] is not None else ""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        return mask_phones(super().formatMessage(record))


class TextFormatter(_Redacting):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        """As logging.Formatter.format, but never with a traceback another formatter cached on the record."""
        record.message = record.getMessage()
        record.asctime = self.formatTime(record, self.datefmt)
        text = self.formatMessage(record)
        if record.exc_info and record.exc_info[1] is not None:
            text += "\n" + self.formatException(record.exc_info)
        if record.stack_info:
            text += "\n" + self.formatStack(record.stack_info)
        return mask_phones(text)


class JsonFormatter(_Redacting):
    """{"time", "level", "logger", "message", "pid"[, "exception"]} on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": mask_phones(record.getMessage()),
            "pid": os.getpid()}
        if record.exc_info and record.exc_info[1] is not None:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(level: str, fmt: str = "text") -> None:
    """Send every logger's lines to stderr in `fmt`, at `level` and above. Like logging.basicConfig,
    it leaves a root logger that already has handlers (a test runner's) as it is, but for the level."""
    root = logging.getLogger()
    root.setLevel(level.upper())
    if root.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root.addHandler(handler)
