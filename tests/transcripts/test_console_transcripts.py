"""Whole conversations through the console renderer, checked line by line.

A transcript interleaves what the person types ("› …"), pauses ("… 30s") and what the
screen shows. Set UPDATE_TRANSCRIPTS=1 to rewrite them after a deliberate change, then
read the diff as a citizen would.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from bot.channels.console import ConsoleSession

HERE = Path(__file__).parent
SCRIPTS = sorted(HERE.glob("*.txt"))
_WAIT = re.compile(r"^… (\d+)s$")


def parse(text: str) -> list[tuple[str, str, list[str]]]:
    """Steps of (kind, argument, expected screen lines); the first step is the start."""
    steps: list[tuple[str, str, list[str]]] = [("start", "", [])]
    for line in text.splitlines():
        if line.startswith("› "):
            steps.append(("say", line[2:], []))
        elif (m := _WAIT.match(line)) is not None:
            steps.append(("wait", m.group(1), []))
        else:
            steps[-1][2].append(line)
    return steps


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
async def test_transcript(script: Path, make_app, clock) -> None:
    app = await make_app()
    session = ConsoleSession(app.dispatcher, app.translator, user=script.stem)
    written: list[str] = []
    mismatches: list[str] = []
    for kind, arg, expected in parse(script.read_text(encoding="utf-8")):
        if kind == "wait":
            clock.advance(seconds=int(arg))
            written.append(f"… {arg}s")
            continue
        shown = (await session.start() if kind == "start" else await session.send(arg)).splitlines()
        if kind == "say":
            written.append(f"› {arg}")
        written += shown
        if shown != expected and not mismatches:
            mismatches.append(f"after {kind} {arg!r}:\n  expected {expected}\n  shown    {shown}")
    if os.environ.get("UPDATE_TRANSCRIPTS"):
        script.write_text("\n".join(written) + "\n", encoding="utf-8")
        return
    assert mismatches == []
