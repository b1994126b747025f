"""A question's topic as organisers write it: the code, the label, part of the label, or a close
spelling of either, with or without accents ("vneid", "Định danh điện tử", "dinh danh", "VNeID")."""
from __future__ import annotations

from collections.abc import Collection, Mapping
from difflib import get_close_matches

from quiz.model import Localized
from quiz.text import squash

CLOSE = 0.8  # how close a misspelt code or label must be


class TopicNames:
    """The contest's topics and every way of naming them."""

    def __init__(self, topics: Mapping[str, Localized] | Collection[str]) -> None:
        labels = topics if isinstance(topics, Mapping) else {code: {} for code in sorted(topics)}
        self.codes = list(labels)
        self._names: dict[str, set[str]] = {}  # folded name → codes it names
        for code, label in labels.items():
            for name in (code, *label.values()):
                if squash(name):
                    self._names.setdefault(squash(name), set()).add(code)
        self._labels = {code: [squash(v) for v in label.values() if squash(v)] for code, label in labels.items()}

    def resolve(self, written: str) -> str | None:
        """The one topic `written` names, or None when it names none or several."""
        if written in self.codes:
            return written
        key = squash(written)
        if not key:
            return None
        exact = self._names.get(key, set())
        if len(exact) == 1:
            return next(iter(exact))
        part = {code for code, labels in self._labels.items() if any(key in label for label in labels)}
        if len(part) == 1:
            return next(iter(part))
        close = get_close_matches(key, list(self._names), n=2, cutoff=CLOSE)
        found = {code for name in close for code in self._names[name]}
        return next(iter(found)) if len(found) == 1 else None

    def listing(self, labels: Mapping[str, Localized] | None = None) -> str:
        """The accepted topics, for an error message: "vneid (Định danh điện tử), dvc (…)"."""
        if not labels:
            return ", ".join(self.codes)
        return ", ".join(f"{code} ({label.get('vi') or next(iter(label.values()), '')})" if label else code
                         for code, label in labels.items())
