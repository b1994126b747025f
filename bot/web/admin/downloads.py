"""Downloads of the exports, streamed with bounded memory.

CSV goes straight to the response batch by batch. XLSX is written in openpyxl's
write-only mode by a worker thread into a temporary file, fed through a small queue
of row batches, and the finished file is then streamed out."""
from __future__ import annotations

import asyncio
import queue
import tempfile
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web

from bot.exports import (
    DayRow,
    Sheet,
    audit_sheet,
    csv_chunks,
    days_sheet,
    leaderboard_sheet,
    units_sheet,
    winners_sheet,
    write_xlsx,
)
from bot.web.admin.audit import BadDay, action_label, chosen
from bot.web.admin.context import actor, admin, staff
from bot.web.admin.data import board_rows, pick_round, round_winners
from bot.web.admin.layout import error_page
from bot.web.admin.vi import T
from quiz.statistics import filled

Row = TypeVar("Row")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE_CHUNK = 256 * 1024
QUEUE_BATCHES = 4  # batches waiting for the XLSX writer: the memory bound
_END = object()


def setup(app: web.Application) -> None:
    app.router.add_get(r"/export/{kind:leaderboard|winners|units|days|audit}.{fmt:xlsx|csv}", download)


async def _one(rows: list[Row]) -> AsyncIterator[list[Row]]:
    yield rows


async def _pages(pages: list[list[Row]]) -> AsyncIterator[list[Row]]:
    for rows in pages:
        yield rows


async def download(request: web.Request) -> web.StreamResponse:
    ctx, who = admin(request), staff(request)
    kind, fmt = request.match_info["kind"], request.match_info["fmt"]
    stamp = f"{ctx.today():%Y-%m-%d}"
    batches: AsyncIterator[list[Any]]
    make: Callable[[Iterable[Any]], Sheet]
    if kind in ("leaderboard", "winners"):
        round_ = pick_round(ctx, request.query.get("round"))
        if round_ is None:
            return error_page(request, 404, T["rounds.none"])
        name = f"{'bang-xep-hang' if kind == 'leaderboard' else 'giai-thuong'}-{round_.code}-{stamp}"
        if kind == "leaderboard":
            ranked, _ = await ctx.standings.leaderboard(round_code=round_.code, current=True)  # decided from
            batches = board_rows(ctx, ranked, round_.code)
            make = lambda rows: leaderboard_sheet(rows, show_phone=who.is_admin)  # noqa: E731
        else:
            batches = _one((await round_winners(ctx, round_.code, current=True)).rows)
            make = lambda rows: winners_sheet(rows, show_phone=who.is_admin)  # noqa: E731
        # names (and phones, for admins) of a whole round: a bulk read of personal data, on record first
        await ctx.audit.exported(what=kind, target=round_.code, phones=who.is_admin, by=actor(request), now=ctx.now())
    elif kind == "audit":
        try:
            where, _ = chosen(request, ctx)
        except BadDay:
            return error_page(request, 400, T["audit.bad_day"])
        name = f"nhat-ky-thao-tac-{stamp}"
        make = lambda rows: audit_sheet(rows, tz=ctx.tz, label=action_label)  # noqa: E731
        await ctx.audit.exported(what="audit", target=request.query_string[:200], phones=False, by=actor(request),
                                 now=ctx.now())
        batches = _pages(await ctx.audit.all_entries(where=where))
    elif kind == "units":
        name, make = f"theo-don-vi-{stamp}", units_sheet
        batches = _one(await ctx.standings.unit_stats())
    else:
        name, make = f"theo-ngay-{stamp}", days_sheet
        batches = _one([DayRow(d.day, d.registered, d.participants, d.attempts)
                        for d in filled(await ctx.figures.by_day())])
    if fmt == "csv":
        return await _stream_csv(request, f"{name}.csv", make, batches)
    return await _stream_xlsx(request, f"{name}.xlsx", make, batches)


def _headers(filename: str, content_type: str) -> dict[str, str]:
    return {"Content-Type": content_type, "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


async def _stream_csv(request: web.Request, filename: str, make: Callable[[Iterable[Any]], Sheet],
                      batches: AsyncIterator[list[Any]]) -> web.StreamResponse:
    response = web.StreamResponse(headers=_headers(filename, "text/csv; charset=utf-8"))
    response.enable_chunked_encoding()
    await response.prepare(request)
    first = True
    async for batch in batches:
        for chunk in csv_chunks(make(batch), header=first):
            await response.write(chunk.encode("utf-8"))
        first = False
    if first:  # no rows at all: still the header
        for chunk in csv_chunks(make([])):
            await response.write(chunk.encode("utf-8"))
    await response.write_eof()
    return response


async def _stream_xlsx(request: web.Request, filename: str, make: Callable[[Iterable[Any]], Sheet],
                       batches: AsyncIterator[list[Any]]) -> web.StreamResponse:
    pipe: queue.Queue[object] = queue.Queue(maxsize=QUEUE_BATCHES)

    def rows() -> Iterator[Any]:
        while (batch := pipe.get()) is not _END:
            yield from batch  # type: ignore[misc]

    with tempfile.TemporaryDirectory(prefix="cds-export-") as tmp:
        path = Path(tmp) / filename
        writer = asyncio.ensure_future(asyncio.to_thread(write_xlsx, make(rows()), path))
        try:
            async for batch in batches:
                await _put(pipe, batch, writer)
        finally:
            await _put(pipe, _END, writer)
            await writer
        response = web.StreamResponse(headers=_headers(filename, XLSX))
        response.content_length = path.stat().st_size
        await response.prepare(request)
        with path.open("rb") as f:
            while chunk := await asyncio.to_thread(f.read, FILE_CHUNK):
                await response.write(chunk)
        await response.write_eof()
        return response


async def _put(pipe: queue.Queue[object], item: object, writer: asyncio.Future[int]) -> None:
    """Hand a batch to the writer thread, waiting while it is behind; its error surfaces here."""
    while True:
        if writer.done():
            writer.result()  # raises what stopped the writer
            return
        try:
            pipe.put_nowait(item)
            return
        except queue.Full:
            await asyncio.sleep(0.005)
