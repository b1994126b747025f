"""Staff accounts, for admins only: add an account, disable or enable it, end a lock-out, set a new
password. The same use cases as `dcbot users`; every change is in the audit log with who and from where."""
from __future__ import annotations

from aiohttp import web

from bot.web.admin.auth import require
from bot.web.admin.context import actor, admin, staff
from bot.web.admin.html import NOTHING, Markup, html, join, url
from bot.web.admin.layout import add_nav, page, post_form, redirect
from bot.web.admin.vi import ROLE_NAMES, T
from bot.web.admin.widgets import cells, table
from quiz.services.staff import NoSuchUser
from quiz.staff import MIN_PASSWORD, ROLES, BadAccount, StaffUser, UserExists

PATH = "/admin/users"
MAX_FIELD = 256
DONE = ("added", "disabled", "enabled", "unlocked", "password")  # what the notice after a redirect may say


def setup(app: web.Application) -> None:
    app.router.add_get("/users", users_page)
    app.router.add_post("/users/add", add_user)
    app.router.add_post("/users/change", change_user)
    add_nav(PATH, T["nav.users"], role="admin")


def _button(request: web.Request, user: StaffUser, what: str, label: str, cls: str = "secondary",
            extra: Markup = NOTHING) -> Markup:
    return post_form(request, "/admin/users/change", html(
        '<input type="hidden" name="username" value="{u}"><input type="hidden" name="what" value="{w}">{extra}'
        '<button type="submit" class="{cls}">{label}</button>', u=user.username, w=what, extra=extra, cls=cls,
        label=label), cls="inline")


def _actions(request: web.Request, user: StaffUser, me: str) -> Markup:
    password = html('<input type="password" name="password" minlength="{n}" maxlength="{m}" required '
                    'autocomplete="new-password" placeholder="{p}" aria-label="{p}"> ', n=MIN_PASSWORD,
                    m=MAX_FIELD, p=T["users.new_password"])
    buttons = [_button(request, user, "unlock", T["users.unlock"]),
               _button(request, user, "password", T["users.set_password"], extra=password)]
    if user.username != me:  # an admin does not lock themselves out of the page they are on
        buttons.insert(0, _button(request, user, "disable", T["users.disable"], "danger") if user.active
                       else _button(request, user, "enable", T["users.enable"]))
    return join(buttons, " ")


def _notice(text: str, *, error: bool = False) -> Markup:
    return html('<p class="notice {c}" role="{r}">{t}</p>', c="error" if error else "ok",
                r="alert" if error else "status", t=text)


@require("admin")
async def users_page(request: web.Request) -> web.Response:
    return await _page(request)


async def _page(request: web.Request, *, before: Markup = NOTHING, status: int = 200,
                username: str = "", role: str = "organiser") -> web.Response:
    ctx, me = admin(request), staff(request)
    tz = ctx.tz
    rows = [cells([user.username, ROLE_NAMES.get(user.role, user.role),
                   f"{user.created_at.astimezone(tz):%d/%m/%Y %H:%M}",
                   T["users.active"] if user.active else T["users.disabled"].format(
                       at=f"{user.disabled_at.astimezone(tz):%d/%m/%Y}" if user.disabled_at else ""),
                   _actions(request, user, me.username)])
            for user in await ctx.staff.users()]
    done = request.query.get("done", "")
    notice = _notice(T[f"users.done.{done}"].format(user=request.query.get("user", "")[:64])) \
        if done in DONE and not before else NOTHING
    roles = join(html('<option value="{r}"{sel}>{label}</option>', r=r, label=ROLE_NAMES.get(r, r),
                      sel=Markup(" selected") if r == role else "") for r in ROLES)
    add = post_form(request, "/admin/users/add", html(
        '<h2>{h}</h2><p><label>{u}<br><input name="username" required minlength="3" maxlength="64" '
        'value="{username}" autocomplete="off"></label></p><p><label>{r}<br><select name="role">{roles}</select>'
        '</label></p><p><label>{p}<br><input type="password" name="password" required minlength="{n}" maxlength="{m}" '
        'autocomplete="new-password"></label><br><small class="muted">{rule}</small></p><p><label>{p2}<br>'
        '<input type="password" name="again" required minlength="{n}" maxlength="{m}" autocomplete="new-password">'
        '</label></p><p><button type="submit">{go}</button></p>', h=T["users.add"], u=T["users.username"],
        username=username, r=T["users.role"], roles=roles, p=T["users.password"], n=MIN_PASSWORD, m=MAX_FIELD,
        rule=T["users.rule"].format(n=MIN_PASSWORD), p2=T["users.again"], go=T["users.add.go"]), cls="panel")
    body = html('{before}{notice}<p class="muted">{hint}</p>{table}{add}', before=before, notice=notice,
                hint=T["users.hint"], add=add,
                table=table([T["users.username"], T["users.role"], T["users.created"], T["users.state"], ""], rows))
    return page(request, title=T["users.title"], body=body, active=PATH, status=status)


def _bad(rule: str) -> str:
    return T.get(f"users.bad.{rule}", T["users.bad.password"]).format(n=MIN_PASSWORD)


@require("admin")
async def add_user(request: web.Request) -> web.Response:
    ctx = admin(request)
    form = await request.post()
    username = str(form.get("username", ""))[:MAX_FIELD].strip().lower()
    role = str(form.get("role", ""))[:16]
    password, again = str(form.get("password", ""))[:MAX_FIELD], str(form.get("again", ""))[:MAX_FIELD]
    problem = None
    if password != again:
        problem = T["users.bad.again"]
    else:
        try:
            await ctx.staff.add(username=username, password=password, role=role, by=actor(request), now=ctx.now())
        except BadAccount as bad:
            problem = _bad(bad.rule)
        except UserExists:
            problem = T["users.bad.exists"].format(user=username)
    if problem is not None:
        return await _page(request, before=_notice(problem, error=True), status=422, username=username[:64],
                           role=role if role in ROLES else "organiser")
    return redirect(url(PATH, done="added", user=username))


@require("admin")
async def change_user(request: web.Request) -> web.Response:
    ctx, me = admin(request), staff(request)
    form = await request.post()
    username, what = str(form.get("username", ""))[:64], str(form.get("what", ""))
    by, now = actor(request), ctx.now()
    try:
        if what == "disable" and username != me.username:
            await ctx.staff.disable(username=username, by=by, now=now)
        elif what == "enable":
            await ctx.staff.enable(username=username, by=by, now=now)
        elif what == "unlock":
            await ctx.staff.unlock(username=username, by=by, now=now)
        elif what == "password":
            await ctx.staff.set_password(username=username, password=str(form.get("password", ""))[:MAX_FIELD],
                                         by=by, now=now)
        else:
            return await _page(request, before=_notice(T["users.bad.request"], error=True), status=400)
    except NoSuchUser:
        return await _page(request, before=_notice(T["users.bad.missing"], error=True), status=404)
    except BadAccount as bad:
        return await _page(request, before=_notice(_bad(bad.rule), error=True), status=422)
    if what == "password" and username == me.username:  # their own session ended with the old password
        return redirect("/admin/login")
    return redirect(url(PATH, done={"disable": "disabled", "enable": "enabled", "unlock": "unlocked"}.get(what, what),
                        user=username))
