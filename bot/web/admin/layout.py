"""The dashboard's page frame: header, navigation, CSRF-carrying forms, error pages.

A new page renders its body as Markup and hands it to `page`:

    @require("admin")
    async def rounds_page(request: web.Request) -> web.Response:
        body = html("<p>{n} vòng thi</p>", n=len(rounds)) + post_form(request, "/admin/rounds/close", ...)
        return page(request, title="Vòng thi", body=body, active="/admin/rounds")

and adds itself to the navigation once, with the role that may see the link:

    add_nav("/admin/rounds", "Vòng thi", role="admin")
"""
from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from bot.web.admin.context import STAFF_KEY, Staff, admin
from bot.web.admin.html import Markup, html, join
from bot.web.admin.vi import ROLE_NAMES, T
from quiz.model import pick

ADMIN_HEADERS = {
    # No script at all: charts are inline SVG, forms are plain forms.
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
                               "base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",  # pages carry personal data
}
CSRF_FIELD = "csrf_token"
STYLESHEET = "/admin/static/admin.css"


@dataclass(frozen=True, slots=True)
class NavItem:
    path: str
    label: str
    role: str = "organiser"


NAV: list[NavItem] = []


def add_nav(path: str, label: str, *, role: str = "organiser") -> None:
    """Show a link to `path` in every page's navigation, to staff holding `role` (idempotent)."""
    if all(item.path != path for item in NAV):
        NAV.append(NavItem(path, label, role))


def csrf_field(request: web.Request) -> Markup:
    """The hidden input every POST form needs (the auth middleware refuses a POST without it)."""
    return html('<input type="hidden" name="{name}" value="{token}">', name=CSRF_FIELD,
                token=request[STAFF_KEY].csrf_token)


def post_form(request: web.Request, action: str, inner: Markup, *, cls: str = "") -> Markup:
    """A POST form to `action` carrying the session's CSRF token."""
    return html('<form method="post" action="{action}" class="{cls}">{csrf}{inner}</form>',
                action=action, cls=cls, csrf=csrf_field(request), inner=inner)


def _document(title: str, body: Markup, *, contest: str) -> Markup:
    return html('<!doctype html><html lang="vi"><head><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                '<title>{title} · {contest}</title><link rel="stylesheet" href="{css}"></head>'
                '<body>{body}</body></html>', title=title, contest=contest, css=STYLESHEET, body=body)


def _respond(document: Markup, status: int) -> web.Response:
    return web.Response(text=document, status=status, content_type="text/html", charset="utf-8",
                        headers=ADMIN_HEADERS)


def _contest_title(request: web.Request) -> str:
    return pick(admin(request).runtime.contest.title, "vi")


def _header(request: web.Request, who: Staff, active: str | None) -> Markup:
    links = join(html('<a href="{path}"{current}>{label}</a>', path=item.path, label=item.label,
                      current=Markup(' aria-current="page"') if item.path == active else "")
                 for item in NAV if who.may(item.role))
    logout = post_form(request, "/admin/logout", html('<button type="submit" class="link">{t}</button>',
                                                      t=T["logout"]), cls="inline")
    return html('<header class="top"><div class="brand"><b>{app}</b><span>{contest}</span></div>'
                '<div class="who"><span class="user">{user}</span><span class="role role-{role}">{role_name}</span>'
                '{logout}</div></header><nav class="tabs" aria-label="{nav}">{links}</nav>',
                app=T["app"], contest=_contest_title(request), user=who.username, role=who.role,
                role_name=ROLE_NAMES.get(who.role, who.role), logout=logout, nav=T["nav"], links=links)


def page(request: web.Request, *, title: str, body: Markup, active: str | None = None,
         status: int = 200) -> web.Response:
    """A full dashboard page for the signed-in staff member."""
    frame = html('{header}<main><h1>{title}</h1>{body}</main><footer>{foot}</footer>',
                 header=_header(request, request[STAFF_KEY], active), title=title, body=body, foot=T["footer"])
    return _respond(_document(title, frame, contest=_contest_title(request)), status)


def bare_page(request: web.Request, *, title: str, body: Markup, status: int = 200) -> web.Response:
    """A page without navigation: the login page, and errors before anyone signed in."""
    frame = html('<main class="narrow"><p class="brand-line"><b>{app}</b><br>{contest}</p>{body}</main>',
                 app=T["app"], contest=_contest_title(request), body=body)
    return _respond(_document(title, frame, contest=_contest_title(request)), status)


def error_page(request: web.Request, status: int, message: str) -> web.Response:
    """A plain error page: with navigation if someone is signed in."""
    title = T.get(f"error.{status}", T["error"])
    body = html('<p class="notice error">{message}</p><p><a href="/admin/">{back}</a></p>',
                message=message, back=T["back_home"])
    if STAFF_KEY in request:
        return page(request, title=title, body=body, status=status)
    return bare_page(request, title=title, body=body, status=status)



def redirect(location: str) -> web.Response:
    """A 303 to `location` (after a POST, the browser follows it with a GET)."""
    return web.Response(status=303, headers={"Location": location, **ADMIN_HEADERS})
