"""The processes under test, each started here and stopped by its own pid: the service (`dcbot run`, with the
probe of bench/probe on its path) and the bare baselines; what they have spent so far (CPU from /proc, the
probe's database counters from /metrics)."""
from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import sys
import time
from pathlib import Path

import aiohttp

BENCH = Path(__file__).resolve().parents[1]
PROBE = BENCH / "probe"
BIN = Path(sys.executable).parent
TICKS = os.sysconf("SC_CLK_TCK")
START_S = 120.0  # a start on a busy machine imports aiogram for seconds; never wait longer than this
_COUNTER = re.compile(r"^cds_bench_(db_statements|db_transactions|db_pings)_total (\S+)$", re.MULTILINE)
_LIFTED = re.compile(r"^cds_bench_pacing_lifted(?:\{[^}]*\})? (\S+)$", re.MULTILINE)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _children(pid: int) -> list[int]:
    try:
        found = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    return found + [g for c in found for g in _children(c)]


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


class Service:
    """One child process (and whatever it starts: `dcbot run --workers N` starts N workers)."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], *, log: Path, cwd: Path) -> None:
        self.name, self.argv, self.env, self.log, self.cwd = name, argv, env, log, cwd
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = await asyncio.create_subprocess_exec(*self.argv, env=self.env, cwd=self.cwd, stdout=out,
                                                             stderr=out, start_new_session=True)

    def pids(self) -> list[int]:
        return [] if self.proc is None else [self.proc.pid, *_children(self.proc.pid)]

    def cpu(self) -> float:
        return sum(_cpu_seconds(pid) for pid in self.pids())

    async def stop(self) -> None:
        """SIGTERM, as systemd would; SIGKILL to this process alone if it has not ended within a minute."""
        if self.proc is None or self.proc.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            self.proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.proc.wait(), 60)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
            await self.proc.wait()


async def until_ready(session: aiohttp.ClientSession, base: str, services: list[Service]) -> None:
    """Wait for /healthz; a process that ended instead is an error that names its log."""
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        for s in services:
            if s.proc is not None and s.proc.returncode is not None:
                raise RuntimeError(f"{s.name} exited with {s.proc.returncode}; see {s.log}")
        with contextlib.suppress(aiohttp.ClientError, TimeoutError):
            async with session.get(base + "/healthz", timeout=aiohttp.ClientTimeout(total=2)) as response:
                if response.status == 200:
                    return
        await asyncio.sleep(0.3)
    raise RuntimeError(f"{services[0].name} not ready within {START_S:.0f} s; see {services[0].log}")


async def spent(session: aiohttp.ClientSession, base: str, services: list[Service], *,
                probe: bool) -> dict[str, float]:
    """CPU seconds of the processes so far and, from the probe, the database round trips; `at` is the moment."""
    began = time.monotonic()
    numbers = {"cpu": sum(s.cpu() for s in services)}
    if probe:
        async with session.get(base + "/metrics", timeout=aiohttp.ClientTimeout(total=60)) as response:
            exposition = await response.text()
        values = {name: float(value) for name, value in _COUNTER.findall(exposition)}
        statements, transactions = values.get("db_statements", 0.0), values.get("db_transactions", 0.0)
        pings = values.get("db_pings", 0.0)
        numbers |= {"statements": statements, "transactions": transactions,
                    "round_trips": statements + 2 * transactions + 3 * pings}
    return numbers | {"at": (began + time.monotonic()) / 2}


async def pacing_lifted(session: aiohttp.ClientSession, base: str) -> bool:
    async with session.get(base + "/metrics") as response:
        values = _LIFTED.findall(await response.text())
    return bool(values) and all(float(v) == 1.0 for v in values)
