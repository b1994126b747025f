"""Scanning a round, and what organisers' decisions do to the leaderboard and the winners."""
from __future__ import annotations

import csv
import io
from collections.abc import Callable

from bot.compose import App
from publishing import ADMIN

from .conftest import Visitor
from .seed import play, register


async def reviews(app: App, **kw: object) -> list[tuple[str, int, str]]:
    found = await app.integrity.reviews("chinh", **kw)  # type: ignore[arg-type]
    return sorted((r.kind, r.participant_id, r.status) for r in found)


async def test_a_scan_flags_fast_copied_and_referral_burst_accounts_once(
        app: App, make_app: Callable[..., object], clock, organiser: Visitor) -> None:
    twin = await make_app(seed=7)  # a second worker whose first paper is the first worker's first paper
    a = await register(app, user="a", phone="0911000002", name="Bản Sao Một")
    b = await register(twin, user="b", phone="0911000003", name="Bản Sao Hai")  # type: ignore[arg-type]
    await play(app, clock, a, right=10)
    await play(twin, clock, b, right=10)  # type: ignore[arg-type]
    honest = await register(app, user="h", phone="0911000001", name="Người Thật Thà")
    await play(app, clock, honest, right=10, seconds_per_answer=25)
    fast = await register(app, user="f", phone="0911000004", name="Nhanh Như Chớp")
    await play(app, clock, fast, right=10, seconds_per_answer=1)
    club = []
    for k in range(5):
        clock.advance(minutes=1)
        club.append(await register(app, user=f"c{k}", phone=f"091200000{k}", name="Hội Viên", referral="CLB1"))
    for pid in club[:3]:  # two of the five never take part in this round
        await play(app, clock, pid, right=5, seconds_per_answer=15)

    response = await organiser.post("/admin/integrity/scan", {"round": "chinh"})
    assert response.status == 200 and "Đã quét: 6 trường hợp mới" in organiser.text
    assert await reviews(app) == sorted([("same_answers", a, "open"), ("same_answers", b, "open"),
                                         ("too_fast", fast, "open")] +
                                        [("referral_burst", pid, "open") for pid in club[:3]])
    assert "Bài làm giống hệt tài khoản khác" in organiser.text and "1,0 giây/câu" in organiser.text
    await organiser.post("/admin/integrity/scan", {"round": "chinh"})
    assert "Đã quét: 0 trường hợp mới" in organiser.text  # nothing twice


async def test_an_organisers_decision_is_shown_with_their_name_and_reaches_the_winners_page(
        app: App, clock, organiser: Visitor) -> None:
    """What a decision does to the ranking is tested on the fakes (tests/services/test_standings.py)."""
    fast = await register(app, user="f", phone="0911000004", name="Nhanh Như Chớp")
    await play(app, clock, fast, right=10, seconds_per_answer=1)
    await play(app, clock, await register(app, user="o", phone="0913000000", name="Người Thi"), right=9)
    await organiser.post("/admin/integrity/scan", {"round": "chinh"})
    review = (await app.integrity.reviews("chinh"))[0]

    unexplained = await organiser.post("/admin/integrity/decide", {"review": str(review.id),
                                                                   "status": "disqualified", "round": "chinh"})
    assert unexplained.status == 422 and "phải nói rõ vì sao" in organiser.text
    assert (await app.integrity.reviews("chinh"))[0].status == "open"  # nothing decided without a reason

    response = await organiser.post("/admin/integrity/decide", {"review": str(review.id), "status": "disqualified",
                                                                "reason": "Mười câu trong mười giây"})
    assert response.url.path == "/admin/integrity" and "Đã loại" in organiser.text and "bantochuc" in organiser.text
    assert "Mười câu trong mười giây" in organiser.text
    await organiser.get("/admin/winners?round=chinh")
    assert "Nhanh Như Chớp" not in organiser.text and "Người Thi" in organiser.text


async def test_a_cleared_flag_and_its_reason_follow_the_participant_into_the_pages_and_exports(
        app: App, clock, organiser: Visitor) -> None:
    fast = await register(app, user="f", phone="0911000004", name="Nhanh Như Chớp")
    await play(app, clock, fast, right=10, seconds_per_answer=1)
    await organiser.post("/admin/integrity/scan", {"round": "chinh"})
    review = (await app.integrity.reviews("chinh"))[0]
    await organiser.post("/admin/integrity/decide", {"review": str(review.id), "status": "cleared",
                                                     "reason": "Giáo viên tin học, đã gọi điện xác minh"})
    noted = "Trả lời quá nhanh: Hợp lệ (Giáo viên tin học, đã gọi điện xác minh)"
    for path in ("/admin/leaderboard?round=chinh", "/admin/winners?round=chinh"):
        await organiser.get(path)
        assert noted in organiser.text and "tự nhập" in organiser.text  # a typed number, not proven
    for kind in ("leaderboard", "winners"):
        export = await organiser.get(f"/admin/export/{kind}.csv?round=chinh")
        row = next(csv.reader(io.StringIO((await export.read()).decode("utf-8-sig").splitlines()[1])))
        assert row[-1] == noted and "Không" in row


async def test_a_decision_needs_a_real_review_and_status(organiser: Visitor) -> None:
    bad = await organiser.post("/admin/integrity/decide", {"review": "1", "status": "deleted"},
                               allow_redirects=False)
    assert bad.status == 400
    missing = await organiser.post("/admin/integrity/decide", {"review": "999", "status": "cleared"},
                                   allow_redirects=False)
    assert missing.status == 404


async def test_published_winners_stand_and_a_later_disqualification_is_pointed_out(
        app: App, clock, organiser: Visitor) -> None:
    fast = await register(app, user="f", phone="0911000004", name="Nhanh Như Chớp")
    await play(app, clock, fast, right=10, seconds_per_answer=1)
    for k in range(3):
        await play(app, clock, await register(app, user=f"o{k}", phone=f"091300000{k}", name="Người Thi"), right=8 - k)
    await organiser.get("/admin/winners?round=chinh")
    assert "Tạm tính" in organiser.text
    await app.rounds.close("chinh", by=ADMIN, now=clock())

    await organiser.post("/admin/integrity/scan", {"round": "chinh"})
    review = (await app.integrity.reviews("chinh"))[0]
    await organiser.post("/admin/integrity/decide", {"review": str(review.id), "status": "disqualified",
                                                     "reason": "Trả lời mỗi câu trong một giây"})
    await organiser.get("/admin/winners?round=chinh")
    assert "đã chốt khi đóng vòng" in organiser.text
    assert "Nhanh Như Chớp (#" in organiser.text and "Cần chốt lại giải" in organiser.text  # re-freeze needed
    listed = organiser.text.split("<tbody>")[1].split("</tbody>")[0]
    assert "Nhanh Như Chớp" not in listed and "Người Thi" in listed  # the list follows the decision at once
    export = await organiser.get("/admin/export/winners.csv?round=chinh")
    lines = (await export.read()).decode("utf-8").splitlines()
    assert not any("Nhanh Như Chớp" in line for line in lines)  # the export matches the decisions
    assert len(lines) == 1 + 3 and lines[1].startswith("Giải Nhì,2,Người Thi,")

    await app.rounds.close("chinh", by=ADMIN, now=clock(), refreeze=True)  # an admin re-freezes
    await organiser.get("/admin/winners?round=chinh")
    assert "Cần chốt lại giải" not in organiser.text
    assert organiser.text.split("<tbody>")[1].split("</tr>")[0].count("Giải Nhất") == 1
