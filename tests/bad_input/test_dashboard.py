"""The dashboard's pages, forms and downloads against any query, path and form an admin's browser can
be made to send: never a 5xx; a refused form changes nothing stored."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from yarl import URL

from admin.conftest import Visitor
from admin.seed import PASSWORD, add_staff

from .conftest import Site, changed, stored

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

PAGES = {
    "/admin/": (), "/admin/units": ("unit",), "/admin/days": (), "/admin/leaderboard": ("round", "q", "page"),
    "/admin/winners": ("round",), "/admin/rounds": ("done", "code"), "/admin/questions": ("round",),
    "/admin/import": (), "/admin/sets/mau": (), "/admin/broadcast": (), "/admin/integrity": ("round", "scanned"),
    "/admin/users": ("done", "user"), "/admin/audit": ("actor", "action", "target", "from", "to", "before"),
    "/admin/export/leaderboard.csv": ("round",), "/admin/export/winners.xlsx": ("round",),
    "/admin/export/units.csv": (), "/admin/export/days.csv": (), "/admin/export/audit.csv": ("from", "to", "before"),
    "/admin/login": ("next",),
}
FORMS = {
    "/admin/rounds/new": ("code", "title", "question_set", "questions", "minutes", "per_round", "per_day", "practice",
                          "prediction", "quotas", "levels", "opens", "closes"),
    "/admin/rounds/chinh": ("questions", "minutes", "per_round", "per_day", "quotas", "levels", "opens", "closes"),
    "/admin/rounds/chinh/open": ("reopen", "confirm"), "/admin/rounds/chinh/close": ("confirm", "refreeze"),
    "/admin/integrity/scan": ("round",), "/admin/integrity/decide": ("review", "status", "reason", "round"),
    "/admin/integrity/disqualify": ("round", "participant", "reason"),
    "/admin/broadcast/preview": ("kind", "text_vi", "text_en"), "/admin/broadcast/send": ("draft",),
    "/admin/broadcast/1/cancel": (), "/admin/import/publish": ("token", "confirm"),
    "/admin/import/cancel": ("token",), "/admin/users/add": ("username", "role", "password", "again"),
    "/admin/users/change": ("username", "what", "password"), "/admin/sets/mau/1/restore": ("confirm",),
}
# What a person (or a script) might type into a field that wants a number, a date, a code or a name.
awkward = st.sampled_from([
    "²", "١٢", "１２", "9" * 30, "9223372036854775808", "-1", "0", "1e9", "0x10", " 12 ", "", "\n", "a\r\nb",
    "2024-02-30", "2024-13-01T25:61", "31/12/2024", "chinh", "../..", "%00", "\x00", "<script>", "=1+2",
    "a=²;b=9999999999999999999", "T=1,,=2", "//evil.example", "/admin/\nSet-Cookie: x=1"])
values = awkward | st.text(max_size=40)


async def _get(site: Site, v: Visitor, path: str, query: dict[str, str]) -> int:
    encoded = "&".join(f"{quote(k, safe='')}={quote(val, safe='', errors='surrogatepass')}"
                       for k, val in query.items())
    url = URL(str(site.server.make_url(path)) + ("?" + encoded if encoded else ""), encoded=True)
    async with v.session.get(url, allow_redirects=False) as response:
        await response.read()
        return response.status


@FUZZ
@given(data=st.data())
async def test_every_page_and_download_answers_any_query_without_a_server_error(site: Site, admin_visitor: Visitor,
                                                                               data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(sorted(PAGES)))
    query = data.draw(st.dictionaries(st.sampled_from(PAGES[path] or ("x",)) | st.text(max_size=5), values,
                                      max_size=4))
    status = await _get(site, admin_visitor, path, query)
    assert status < 500, (path, query)


@FUZZ
@given(data=st.data())
async def test_every_form_answers_anything_without_a_server_error(site: Site, admin_visitor: Visitor,
                                                                  data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(sorted(FORMS)))
    form = data.draw(st.dictionaries(st.sampled_from(FORMS[path] or ("x",)), values, max_size=6))
    before = await stored(site.app)
    response = await admin_visitor.post(path, form, allow_redirects=False)
    await response.read()
    assert response.status < 500, (path, form)
    if response.status >= 400:
        assert changed(before, await stored(site.app)) == [], (path, form)


async def test_ids_in_paths_beyond_64_bits_are_not_found(site: Site, admin_visitor: Visitor) -> None:
    for path in ("/admin/broadcast/99999999999999999999", "/admin/broadcast/9223372036854775808",
                 "/admin/sets/mau/999999.xlsx"):
        assert await _get(site, admin_visitor, path, {}) == 404, path
    before = await stored(site.app)
    response = await admin_visitor.post("/admin/broadcast/99999999999999999999/cancel", {})
    assert response.status == 404
    assert changed(before, await stored(site.app)) == []


async def test_a_line_break_in_the_sign_in_next_goes_to_the_dashboard(site: Site) -> None:
    await add_staff(site.app, "quantri", "admin")
    for target in ("/admin/\r\nSet-Cookie: x=1", "/admin/units\nx", "/admin/\x7f", "/admin/\tunits"):
        visitor = Visitor(site.server)
        try:
            assert await _get(site, visitor, "/admin/login", {"next": target}) == 200
            await visitor.get("/admin/login")  # the form's token
            response = await visitor.post("/admin/login", {"username": "quantri", "password": PASSWORD,
                                                           "next": target}, allow_redirects=False)
            assert response.status == 303 and response.headers["Location"] == "/admin/", target
        finally:
            await visitor.close()


async def test_digits_that_are_not_ascii_in_a_round_form_are_a_clear_refusal(site: Site,
                                                                             admin_visitor: Visitor) -> None:
    before = await stored(site.app)
    form: dict[str, Any] = {"code": "moi", "question_set": "mau", "questions": "1²", "minutes": "²", "per_round": "١",
                            "quotas": "a=²", "opens": "2024-06-01 08:00", "closes": "2024-07-01 08:00"}
    response = await admin_visitor.post("/admin/rounds/new", form)
    assert response.status == 422
    assert changed(before, await stored(site.app)) == []
