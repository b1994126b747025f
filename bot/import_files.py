"""Question files as admins hand them in (an upload, a Telegram document, a path): bytes checked for
size, then read by the format's reader when the import use case asks (quiz.services.imports)."""
from __future__ import annotations

from functools import partial
from pathlib import Path

from bot.importers import read_question_bytes, read_question_file
from quiz.imports import MAX_FILE_BYTES
from quiz.services.imports import Reader


class TooLarge(ValueError):
    """The file is over the size limit; it was not read."""

    def __init__(self, size: int, limit: int = MAX_FILE_BYTES) -> None:
        super().__init__(f"{size} bytes, over the limit of {limit}")
        self.size, self.limit = size, limit


def from_bytes(data: bytes, *, name: str, default_topic: str | None) -> Reader:
    """A reader of an uploaded file; TooLarge over the size limit."""
    if len(data) > MAX_FILE_BYTES:
        raise TooLarge(len(data))
    return partial(read_question_bytes, data, name=name, default_topic=default_topic)


def from_path(path: Path, *, default_topic: str | None) -> Reader:
    return partial(read_question_file, path, default_topic=default_topic)
