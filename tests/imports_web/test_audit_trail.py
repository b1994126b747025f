"""An admin's session on the dashboard, replayed: every change, sign-in and export of names leaves a row
in the audit log, with who, from where and what changed; the log is filtered and exported on /admin/audit,
and the database refuses to alter it."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import delete, update
from sqlalchemy.exc import DBAPIError

from admin.conftest import Visitor
from bot.compose import App
from bot.storage import tables as t
from quiz.audit import AuditEntry
from rounds.people import play, register

from .files import NEW, SET, fixture_questions, workbook
from .site import signed_in, upload
from .test_question_set_incidents import publish


def draft_of(v: Visitor) -> str:
    found = re.search(r'name="draft" value="([^"]+)"', v.text)
    assert found, v.text[-2000:]
    return found.group(1)


async def logged(app: App) -> list[AuditEntry]:
    return list(reversed(await app.audit.entries(limit=500)))


async def test_every_action_of_an_admin_session_is_on_record_and_the_record_cannot_change(
        app: App, clock: Any, browsers: Callable[[], Visitor]) -> None:
    intruder = browsers()
    await intruder.login("quantri", "không phải mật khẩu này")  # before the account even exists
    admin_ = await signed_in(app, browsers, "quantri", "admin")
    await play(app, clock, await register(app, clock(), user="a", phone="0912345678"), right=8)  # a winner

    await upload(admin_, workbook([*fixture_questions(), NEW]), "bo-thu.xlsx")
    await publish(admin_)
    await admin_.post(f"/admin/sets/{SET}/1/restore")  # the preview of going back to version 1 …
    await publish(admin_)  # … and going back
    await admin_.get("/admin/rounds")
    await admin_.post("/admin/rounds/new", {"code": "tuan-2", "title": "Tuần 2", "question_set": SET,
                                            "questions": "10", "minutes": "15", "opens": "2024-06-20T08:00"})
    await admin_.post("/admin/rounds/tuan-2", {"title": "Tuần thứ hai", "question_set": SET, "questions": "10",
                                               "minutes": "15", "opens": "2024-06-20T08:00"})
    await admin_.post("/admin/rounds/chinh/close", {"confirm": "1"})
    await admin_.post("/admin/integrity/scan", {"round": "chinh"})
    await admin_.get("/admin/integrity?round=chinh")
    await admin_.post("/admin/integrity/disqualify", {"round": "chinh", "participant": "#1",
                                                      "reason": "Thi hộ người khác, có xác nhận"})
    await admin_.post("/admin/rounds/chinh/close", {"confirm": "1", "refreeze": "1"})
    await admin_.get("/admin/broadcast")
    await admin_.post("/admin/broadcast/preview", {"kind": "tip", "text_vi": "Mẹo: giữ bí mật mã OTP."})
    sent = await admin_.post("/admin/broadcast/send", {"draft": draft_of(admin_)})
    await admin_.post(f"{sent.url.path}/cancel", {})
    assert (await admin_.get("/admin/export/winners.csv?round=chinh")).status == 200
    await admin_.get("/admin/users")
    await admin_.post("/admin/users/add", {"username": "btc.lan", "role": "organiser",
                                           "password": "bốn mùa xuân hạ thu đông",
                                           "again": "bốn mùa xuân hạ thu đông"})
    for what in ("disable", "enable", "unlock"):
        await admin_.post("/admin/users/change", {"username": "btc.lan", "what": what})
    await admin_.post("/admin/users/change", {"username": "btc.lan", "what": "password",
                                              "password": "sông lô chảy qua hà giang"})

    entries = await logged(app)
    assert [e.action for e in entries] == [
        "staff.sign_in_failed", "staff.add", "staff.sign_in",
        "questions.check", "questions.publish", "questions.check", "questions.restore",
        "round.create", "round.change", "round.close", "integrity.scan", "review.disqualified", "round.refreeze",
        "broadcast.create", "broadcast.cancel", "export.winners",
        "staff.add", "staff.disable", "staff.enable", "staff.unlock", "staff.password"]
    assert (entries[0].actor, entries[0].target) == ("anonymous", "quantri")  # who typed it is not known
    assert all(e.actor == "staff:quantri" for e in entries[1:]) and {e.origin for e in entries} == {"127.0.0.1"}
    change = next(e for e in entries if e.action == "round.change")
    assert change.target == "tuan-2" and change.detail["after"]["title"] == {"vi": "Tuần thứ hai"}  # type: ignore[index]
    assert change.detail["before"]["title"] == {"vi": "Tuần 2"}  # type: ignore[index]
    decision = next(e for e in entries if e.action == "review.disqualified")
    assert decision.detail["reason"] == "Thi hộ người khác, có xác nhận"
    assert next(e for e in entries if e.action == "export.winners").detail == {"phones": True}

    async with app.engine.connect() as conn:  # no update or delete path, not even by hand in SQL
        for statement in (update(t.audit_log).values(actor="someone else"), delete(t.audit_log)):
            with pytest.raises(DBAPIError, match="append-only"):
                async with conn.begin():
                    await conn.execute(statement)
    assert await logged(app) == entries


async def test_the_log_is_filtered_and_exported_as_it_is_shown(app: App, clock: Any,
                                                               browsers: Callable[[], Visitor]) -> None:
    admin_ = await signed_in(app, browsers, "quantri", "admin")
    organiser = await signed_in(app, browsers, "bantochuc", "organiser")
    await admin_.get("/admin/rounds")
    await admin_.post("/admin/rounds/chinh", {"title": "Vòng chính thức", "question_set": SET, "questions": "10",
                                              "minutes": "15"})

    response = await organiser.get("/admin/audit?action=round")
    assert response.status == 200 and "Sửa vòng thi" in organiser.text and "staff:quantri" in organiser.text
    assert "round.change</small>" in organiser.text and "staff.sign_in</small>" not in organiser.text
    await organiser.get("/admin/audit?actor=bantochuc")
    assert organiser.text.count("<tr>") == 1 + 1 and "staff.sign_in</small>" in organiser.text  # their sign-in
    await organiser.get("/admin/audit?from=21/06/2024")
    assert "Không có mục nào" in organiser.text  # everything happened on the 20th, Hà Giang time
    bad = await organiser.get("/admin/audit?from=hôm qua")
    assert bad.status == 400 and "ngày/tháng/năm" in organiser.text

    export = await organiser.get("/admin/export/audit.csv?action=staff")
    rows = list(csv.reader(io.StringIO((await export.read()).decode("utf-8-sig"))))
    assert rows[0][:5] == ["Số", "Thời điểm", "Người thực hiện", "Từ địa chỉ", "Thao tác"]
    assert {r[5] for r in rows[1:]} == {"staff.add", "staff.sign_in"} and len(rows) == 1 + 4
    assert (await logged(app))[-1].action == "export.audit"  # reading the log in bulk is on record too
