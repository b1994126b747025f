"""The architecture's import rules, checked on the source."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def test_quiz_imports_only_the_standard_library_and_itself() -> None:
    offenders = {}
    for path in files("quiz"):
        bad = {m for m in imports(path) if m.split(".")[0] not in sys.stdlib_module_names and m.split(".")[0] != "quiz"}
        if bad:
            offenders[str(path.relative_to(ROOT))] = bad
    assert offenders == {}


def test_only_bot_storage_speaks_sql() -> None:
    offenders = [str(p.relative_to(ROOT)) for p in files("bot")
                 if "storage" not in p.parts and any(m.split(".")[0] in ("sqlalchemy", "alembic", "asyncpg",
                                                                         "aiosqlite")
                                                      for m in imports(p))]
    assert offenders == []


def test_a_channel_imports_no_other_channel() -> None:
    channels = ROOT / "bot" / "channels"
    names = {p.stem if p.is_file() else p.name for p in channels.iterdir() if not p.name.startswith("_")}
    offenders = []
    for path in channels.rglob("*.py"):
        own = path.relative_to(channels).parts[0].removesuffix(".py")
        for module in imports(path):
            parts = module.split(".")
            if parts[:2] == ["bot", "channels"] and len(parts) > 2 and parts[2] in names and parts[2] != own:
                offenders.append((str(path.relative_to(ROOT)), module))
    assert offenders == []
