"""Registration: full name, birth year, phone number, unit (walking the tree), confirm."""
from __future__ import annotations

from dataclasses import replace

from quiz.conversation.actions import Confirm, Unit, UnitPage, UnitPick
from quiz.conversation.context import Ctx, Turn, button, menu, say
from quiz.conversation.messages import Button, Contact, Msg, Outcome, Text
from quiz.conversation.state import Step
from quiz.model import Unit as UnitRecord
from quiz.people import PhoneTaken, normalise_phone, valid_birth_year, valid_name
from quiz.text import fold

PAGE = 8


def ask_name(ctx: Ctx) -> Turn:
    return ctx.state.at(Step.REG_NAME), say(Msg("reg.ask_name"))


async def on_input(ctx: Ctx, event: Text | Contact) -> Turn:
    """Text or a shared contact during registration."""
    step = ctx.state.step
    if isinstance(event, Contact):
        if step != Step.REG_PHONE:
            return ctx.state, say(Msg("reg.contact_not_now"))
        if not event.own:
            return ctx.state, say(Msg("reg.contact_not_own"), request_contact=True)
        return await _take_phone(ctx, event.phone)
    text = event.text
    if step == Step.REG_NAME:
        name = valid_name(text)
        if name is None:
            return ctx.state, say(Msg("reg.bad_name"))
        return ctx.state.at(Step.REG_YEAR, name=name), say(Msg("reg.ask_year", name=name))
    if step == Step.REG_YEAR:
        year = valid_birth_year(text, now=ctx.now)
        if year is None:
            return ctx.state, say(Msg("reg.bad_year", latest=str(ctx.now.year - 6)))
        return ctx.state.at(Step.REG_PHONE, year=year), say(Msg("reg.ask_phone"), request_contact=True)
    if step == Step.REG_PHONE:
        return await _take_phone(ctx, text)
    if step == Step.REG_UNIT:
        return _search_units(ctx, text)
    return ctx.state, _confirm_reply(ctx)


async def _take_phone(ctx: Ctx, raw: str) -> Turn:
    phone = normalise_phone(raw)
    if phone is None:
        return ctx.state, say(Msg("reg.bad_phone"), request_contact=True)
    if await ctx.people.phone_taken(phone):
        return ctx.state, say(Msg("reg.phone_taken"), request_contact=True)
    state = ctx.state.at(Step.REG_UNIT, phone=phone)
    preset = ctx.state.data.get("start_code")
    units = ctx.runtime.units
    if isinstance(preset, str) and preset in units:
        state = state.at(Step.REG_CONFIRM, unit=preset)
        return state, _confirm_reply(Ctx(ctx.services, ctx.account, state, ctx.now, ctx.locale))
    return state, unit_page(ctx, None, 0, Msg("reg.ask_unit"))


def _unit_label(unit: UnitRecord) -> Msg:
    return Msg("reg.unit_button", name=unit.name)


def unit_page(ctx: Ctx, parent: str | None, page: int, intro: Msg) -> Outcome:
    """One page of the units under `parent` (the single root's children when None)."""
    units = ctx.runtime.units
    roots = units.roots()
    if parent is None and len(roots) == 1:
        parent = roots[0].code
    children = units.children(parent)
    chunk = children[page * PAGE:(page + 1) * PAGE]
    rows: list[tuple[Button, ...]] = [(Button(_unit_label(u), Unit(u.code)),) for u in chunk]
    nav: list[Button] = []
    if page > 0:
        nav.append(button("reg.unit_prev", UnitPage(parent, page - 1)))
    if (page + 1) * PAGE < len(children):
        nav.append(button("reg.unit_next", UnitPage(parent, page + 1)))
    if nav:
        rows.append(tuple(nav))
    here = units.get(parent) if parent else None
    if here is not None and here.parent is not None:
        rows.insert(0, (button("reg.unit_pick_here", UnitPick(here.code), name=here.name),))
    if here is not None and here.parent is not None:
        rows.append((button("reg.unit_up", Unit(here.parent)),))
    where = Msg("reg.unit_where", path=" › ".join(u.name for u in units.path(here.code))) if here else None
    parts = (intro, where) if where else (intro,)
    return say(*parts, buttons=tuple(rows), replace=page > 0 or parent is not None)


async def on_unit_press(ctx: Ctx, action: Unit | UnitPick | UnitPage) -> Turn:
    """Unit opens a unit or picks a leaf; UnitPick picks it; UnitPage pages."""
    units = ctx.runtime.units
    if ctx.state.step not in (Step.REG_UNIT, Step.REG_CONFIRM):
        return menu(ctx, Msg("error.stale_button"))
    if isinstance(action, UnitPage):
        if action.parent is not None and action.parent not in units:
            return ctx.state, say(Msg("error.stale_button"))
        return ctx.state, unit_page(ctx, action.parent, action.page, Msg("reg.ask_unit"))
    unit = units.get(action.code)
    if unit is None:
        return ctx.state, say(Msg("error.stale_button"))
    if isinstance(action, Unit) and not units.is_leaf(unit.code):
        return ctx.state.at(Step.REG_UNIT), unit_page(ctx, unit.code, 0, Msg("reg.ask_unit"))
    if ctx.state.data.get("changing") and ctx.account.participant_id is not None:
        await ctx.people.change_unit(participant_id=ctx.account.participant_id, unit_code=unit.code)
        path = " › ".join(u.name for u in units.path(unit.code))
        return menu(ctx, Msg("data.unit_changed", unit=path), toast=Msg("toast.saved"))
    state = ctx.state.at(Step.REG_CONFIRM, unit=unit.code)
    return state, _confirm_reply(Ctx(ctx.services, ctx.account, state, ctx.now, ctx.locale))


def _search_units(ctx: Ctx, text: str) -> Turn:
    needle = fold(text).strip()
    found = [u for u in ctx.runtime.units.all() if u.parent is not None and needle and needle in fold(u.name)]
    if not found:
        return ctx.state, say(Msg("reg.unit_not_found", text=text[:60]))
    rows = tuple((Button(Msg("reg.unit_path", path=" › ".join(p.name for p in ctx.runtime.units.path(u.code)[1:])),
                         UnitPick(u.code)),) for u in found[:PAGE])
    return ctx.state, say(Msg("reg.unit_choose_found", count=len(found)), buttons=rows)


def _confirm_reply(ctx: Ctx) -> Outcome:
    d = ctx.state.data
    path = " › ".join(u.name for u in ctx.runtime.units.path(str(d.get("unit"))))
    return say(
        Msg("reg.confirm", name=d.get("name"), year=str(d.get("year")), phone=d.get("phone"), unit=path),
        buttons=((button("reg.confirm_yes", Confirm(ok=True)), button("reg.confirm_redo", Confirm(ok=False))),),
    )


async def on_confirm(ctx: Ctx, ok: bool) -> Turn:
    if ctx.state.step != Step.REG_CONFIRM:
        return menu(ctx, Msg("error.stale_button"))
    if not ok:
        return ask_name(ctx)
    d = ctx.state.data
    start = d.get("start_code")
    referral = start if isinstance(start, str) and start not in ctx.runtime.units else None
    try:
        person = await ctx.people.register(
            account_id=ctx.account.id, full_name=str(d["name"]), birth_year=int(d["year"]), phone=str(d["phone"]),
            unit_code=str(d["unit"]), referral=referral, now=ctx.now)
    except PhoneTaken:
        return ctx.state.at(Step.REG_PHONE), say(Msg("reg.phone_taken"), request_contact=True)
    except (KeyError, ValueError):
        return ask_name(ctx)
    registered = Ctx(ctx.services, replace(ctx.account, participant_id=person.id), ctx.state, ctx.now, ctx.locale)
    return menu(registered, Msg("reg.done", name=person.full_name), toast=Msg("toast.saved"))
