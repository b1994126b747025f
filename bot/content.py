"""Reading contest packs from folders of YAML and CSV files."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot import yaml_input
from quiz.pack import ContestPack, load_pack


class FolderReader:
    """A PackReader over a folder; names may not leave it."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def _path(self, name: str) -> Path:
        path = (self.root / name).resolve()
        if self.root not in path.parents:
            raise ValueError(f"{name} lies outside the pack")
        if not path.is_file():
            raise FileNotFoundError(name)
        return path

    def text(self, name: str) -> str:
        try:
            return self._path(name).read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValueError(f"not UTF-8: {exc}") from exc

    def data(self, name: str) -> Any:
        try:
            return yaml_input.load(self.text(name))  # no aliases, no integer past 18 digits
        except yaml.YAMLError as exc:
            raise ValueError(str(exc).replace("\n", " ")) from exc


def read_pack(folder: Path) -> ContestPack:
    """Load and validate the pack in `folder`; raises quiz.problems.Invalid."""
    return load_pack(FolderReader(folder))


def read_question_file(path: Path) -> Any:
    """A standalone question file (YAML or JSON) as data."""
    return FolderReader(path.parent).data(path.name)
