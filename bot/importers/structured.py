"""JSON and YAML question files: the pack's `questions:` mapping or a bare list."""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import yaml

from bot import yaml_input
from quiz.aiken import RawQuestion
from quiz.problems import Problem


def _load(text: str, *, json_syntax: bool, file: str) -> tuple[Any, list[Problem]]:
    try:
        return (json.loads(text) if json_syntax else yaml_input.load(text)), []
    except json.JSONDecodeError as exc:
        params = {"line": str(exc.lineno), "column": str(exc.colno), "detail": exc.msg}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        params = {"line": str(mark.line + 1) if mark else "—", "column": str(mark.column + 1) if mark else "—",
                  "detail": str(exc.problem or exc.context or "")[:120]}
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        params = {"line": "—", "column": "—", "detail": str(exc)[:120]}
    return None, [Problem(file, "", "syntax_error", params)]


def read_structured(
    text: str, *, json_syntax: bool, file: str, default_topic: str | None
) -> tuple[list[RawQuestion], list[Problem]]:
    """Raw questions from JSON or YAML text; entries without a topic take `default_topic`."""
    doc, problems = _load(text, json_syntax=json_syntax, file=file)
    if problems:
        return [], problems
    if doc is None or doc == [] or doc == {}:
        return [], [Problem(file, "", "empty_file")]
    items = doc.get("questions") if isinstance(doc, Mapping) else doc
    if not isinstance(items, list):
        return [], [Problem(file, "", "no_questions")]
    if not items:
        return [], [Problem(file, "", "empty_file")]
    raws: list[RawQuestion] = []
    for index, item in enumerate(items):
        if isinstance(item, Mapping) and not item.get("topic") and default_topic is not None:
            item = {**item, "topic": default_topic}
        raws.append((file, index, item))
    return raws, []
