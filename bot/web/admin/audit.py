"""The audit log for organisers: who did what, when and from where, filtered by person, kind of action,
what it acted on and days, a page at a time; and the same selection as XLSX or CSV."""
from __future__ import annotations

import json

from aiohttp import web

from bot.web.admin.context import Admin, admin
from bot.web.admin.html import Markup, html, join, url
from bot.web.admin.layout import add_nav, page
from bot.web.admin.vi import AUDIT_ACTIONS, AUDIT_FAMILIES, T
from bot.web.admin.widgets import cells, downloads, table
from quiz.audit import AuditEntry, AuditFilter
from quiz.questions import parse_day
from quiz.services.audit import PAGE

PATH = "/admin/audit"
MAX_FIELD = 64


def setup(app: web.Application) -> None:
    app.router.add_get("/audit", audit_page)
    add_nav(PATH, T["nav.audit"])


def action_label(action: str) -> str:
    return AUDIT_ACTIONS.get(action, action)


class BadDay(ValueError):
    """A day in the filter that is not a date."""


def chosen(request: web.Request, ctx: Admin) -> tuple[AuditFilter, dict[str, str]]:
    """The filter the query string asks for, and its fields as typed (to refill the form and the links).
    BadDay when a day cannot be read."""
    typed = {k: request.query.get(k, "")[:MAX_FIELD].strip() for k in ("actor", "action", "target", "from", "to")}
    if typed["action"] not in AUDIT_FAMILIES and typed["action"] not in AUDIT_ACTIONS:
        typed["action"] = ""
    try:
        first, last = parse_day(typed["from"]), parse_day(typed["to"])
    except ValueError as bad:
        raise BadDay(str(bad)) from None
    where = AuditFilter.of_days(actor=typed["actor"], action=typed["action"], target=typed["target"],
                                first=first, last=last, tz=ctx.tz)
    return where, typed


def _detail(entry: AuditEntry) -> Markup:
    if not entry.detail:
        return Markup("")
    text = json.dumps(dict(entry.detail), ensure_ascii=False, sort_keys=True, default=str)
    return html('<code class="detail">{t}</code>', t=text if len(text) <= 600 else text[:600] + "…")


def _form(typed: dict[str, str]) -> Markup:
    def option(value: str, label: str) -> Markup:
        return html('<option value="{v}"{s}>{t}</option>', v=value, t=label,
                    s=Markup(" selected") if typed["action"] == value else "")
    options = [option("", T["audit.any"]), *(option(k, v) for k, v in AUDIT_FAMILIES.items()),
               *(option(k, f"— {v}") for k, v in AUDIT_ACTIONS.items())]
    return html(
        '<form method="get" action="{path}" class="panel filters">'
        '<label>{a}<br><input name="actor" maxlength="64" value="{actor}"></label> '
        '<label>{k}<br><select name="action">{options}</select></label> '
        '<label>{tg}<br><input name="target" maxlength="64" value="{target}"></label> '
        '<label>{f}<br><input type="date" name="from" value="{first}"></label> '
        '<label>{to}<br><input type="date" name="to" value="{last}"></label> '
        '<button type="submit">{go}</button></form>', path=PATH, a=T["audit.actor"], actor=typed["actor"],
        k=T["audit.action"], options=join(options), tg=T["audit.target"], target=typed["target"], f=T["audit.from"],
        first=typed["from"], to=T["audit.to"], last=typed["to"], go=T["audit.filter"])


async def audit_page(request: web.Request) -> web.Response:
    ctx = admin(request)
    try:
        where, typed = chosen(request, ctx)
    except BadDay:
        typed = {k: request.query.get(k, "")[:MAX_FIELD] for k in ("actor", "action", "target", "from", "to")}
        body = html('<p class="notice error" role="alert">{t}</p>{form}', t=T["audit.bad_day"], form=_form(typed))
        return page(request, title=T["audit.title"], body=body, active=PATH, status=400)
    raw_before = request.query.get("before", "")
    before = int(raw_before) if raw_before.isascii() and raw_before.isdigit() and len(raw_before) < 19 else None
    entries = await ctx.audit.entries(where=where, before=before)
    tz = ctx.tz
    rows = [cells([f"{e.at.astimezone(tz):%d/%m/%Y %H:%M:%S}", e.actor, e.origin or "—",
                   html('{label}<br><small class="muted">{code}</small>', label=action_label(e.action), code=e.action),
                   e.target, _detail(e)]) for e in entries]
    listing = table([T["audit.at"], T["audit.actor"], T["audit.origin"], T["audit.action"], T["audit.target"],
                     T["audit.detail"]], rows, cls="audit") if rows \
        else html('<p class="empty">{t}</p>', t=T["audit.none"])
    keep = {k: v for k, v in typed.items() if v}
    more = [html('<a href="{u}">{t}</a>', u=url(PATH, **keep), t=T["audit.newest"])] if before else []
    if len(entries) >= PAGE:
        more.append(html('<a href="{u}">{t}</a>', u=url(PATH, before=entries[-1].id, **keep), t=T["audit.older"]))
    body = html('<p class="muted">{hint}</p>{form}{downloads}{listing}<p class="pager">{more}</p>',
                hint=T["audit.hint"], form=_form(typed), downloads=downloads("audit", **keep), listing=listing,
                more=join(more, " "))
    return page(request, title=T["audit.title"], body=body, active=PATH)
