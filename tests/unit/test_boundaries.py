"""The architecture's import rules, checked on the source."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SQL = ("sqlalchemy", "alembic", "asyncpg", "aiosqlite")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every module `path` imports by name, `from a import b` counting as both a and a.b."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return found


def files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_quiz_imports_only_the_standard_library_and_itself() -> None:
    offenders = {}
    for path in files("quiz"):
        bad = {m for m in imports(path) if m.split(".")[0] not in sys.stdlib_module_names and m.split(".")[0] != "quiz"}
        if bad:
            offenders[str(path.relative_to(ROOT))] = bad
    assert offenders == {}


def test_the_core_below_its_use_cases_imports_neither_the_use_cases_nor_the_conversation() -> None:
    """Rules and ports are what use cases and conversations are built on, never the other way round."""
    offenders = {}
    for path in files("quiz"):
        name = module_name(path)
        if within(name, "quiz.services") or within(name, "quiz.conversation") or name == "quiz":
            continue
        bad = {m for m in imports(path) if within(m, "quiz.services") or within(m, "quiz.conversation")}
        if bad:
            offenders[name] = bad
    assert offenders == {}


def test_use_cases_never_reach_into_a_conversation() -> None:
    offenders = {module_name(p): {m for m in imports(p) if within(m, "quiz.conversation")}
                 for p in files("quiz/services")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_only_bot_storage_speaks_sql() -> None:
    offenders = [str(p.relative_to(ROOT)) for p in files("bot")
                 if "storage" not in p.parts and any(m.split(".")[0] in SQL for m in imports(p))]
    assert offenders == []


def test_storage_imports_nothing_else_of_bot_so_never_the_composition_root() -> None:
    offenders = {module_name(p): {m for m in imports(p) if within(m, "bot") and not within(m, "bot.storage")}
                 for p in files("bot/storage")}
    assert {k: v for k, v in offenders.items() if v} == {}


def _channels() -> dict[str, list[Path]]:
    """Each channel's modules: the packages under bot/channels, and the web chat."""
    root = ROOT / "bot" / "channels"
    found = {p.stem if p.is_file() else p.name: ([p] if p.is_file() else sorted(p.rglob("*.py")))
             for p in root.iterdir() if not p.name.startswith("_") and p.name != "__pycache__"}
    web = ROOT / "bot" / "web"
    found["web"] = [web / name for name in ("chat.py", "render.py", "identity.py", "limits.py", "requests.py")]
    return found


def test_a_channel_imports_no_other_channel_and_no_sql() -> None:
    channels = _channels()
    names = {f"bot.channels.{name}" for name in channels if name != "web"} | {
        module_name(p) for p in channels["web"]}
    offenders = []
    for own, paths in channels.items():
        mine = {module_name(p) for p in paths}
        for path in paths:
            for module in imports(path):
                other = next((n for n in names if within(module, n) and n not in mine
                              and not (own != "web" and within(n, f"bot.channels.{own}"))), None)
                if other is not None or module.split(".")[0] in SQL:
                    offenders.append((str(path.relative_to(ROOT)), module))
    assert offenders == []


def test_no_module_of_the_core_or_the_adapters_is_part_of_an_import_cycle() -> None:
    """Module-level imports only (a package's __init__ importing its own modules is how packages work)."""
    modules = {module_name(p): p for package in ("quiz", "bot") for p in files(package)}
    graph = {name: {m for m in imports(path) if m in modules and m != name} for name, path in modules.items()}
    cycles: list[set[str]] = []
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(component)

    for name in graph:
        if name not in index:
            visit(name)
    assert cycles == []
