"""Registration: full name, birth year, phone number, unit (walking the tree or typing its name), confirm.

Each step can be asked again exactly where it stands, so a reload or a stray button never sends a
citizen back to step 1."""
from __future__ import annotations

from dataclasses import replace

from quiz.attempts import local_day
from quiz.conversation import guardian, phones
from quiz.conversation.actions import Confirm, Unit, UnitFound, UnitPage, UnitPick
from quiz.conversation.context import Ctx, Elsewhere, Turn, button, menu, say
from quiz.conversation.messages import Button, Contact, Msg, Outcome, Reply, Text
from quiz.conversation.state import Step
from quiz.identity import PhoneSource, may_be_under, may_win, ranks
from quiz.model import Unit as UnitRecord
from quiz.people import Participant, PhoneTaken, normalise_phone, valid_birth_year, valid_name
from quiz.text import fold
from quiz.unit_search import find_units
from quiz.verification import Check, Purpose

PAGE = 8
QUERY_LIMIT = 60  # characters of a typed unit name kept to page through what it found
_YES = frozenset({"xac nhan", "dung", "dung roi", "ok", "dong y", "co", "yes", "confirm"})
_NO = frozenset({"nhap lai", "sai", "khong", "khong dung", "sua", "no", "redo", "start over"})


def ask_name(ctx: Ctx) -> Turn:
    return ctx.state.at(Step.REG_NAME), say(Msg("reg.ask_name"))


def reask(ctx: Ctx, *, again: bool = False) -> Turn:
    """The step the citizen is on, asked again with what they gave so far; `again` says they are continuing."""
    d, step = ctx.state.data, ctx.state.step
    lead = (Msg("reg.continue"),) if again and step is not Step.REG_NAME else ()
    if step is Step.REG_YEAR:
        return ctx.state, say(*lead, Msg("reg.ask_year", name=d.get("name")))
    if step in guardian.STEPS:
        return ctx.state, _with_lead(lead, guardian.reask(ctx))
    if step is Step.REG_PHONE:
        return ctx.state, say(*lead, Msg("reg.ask_phone"), request_contact=True)
    if step is Step.REG_CODE:
        return ctx.state, _with_lead(lead, phones.ask_code(str(d.get("pending_phone"))))
    if step is Step.REG_UNIT:
        intro = Msg("data.ask_unit") if d.get("changing") else Msg("reg.ask_unit")
        return ctx.state, _with_lead(lead, unit_page(ctx, None, 0, intro))
    if step is Step.REG_CONFIRM:
        return ctx.state, _with_lead(lead, _confirm_reply(ctx))
    return ctx.state.at(Step.REG_NAME), say(*lead, Msg("reg.ask_name"))


def _with_lead(lead: tuple[Msg, ...], outcome: Outcome) -> Outcome:
    if not lead:
        return outcome
    first, *rest = outcome.replies
    return Outcome((replace(first, parts=(*lead, *first.parts), replace=False), *rest), outcome.toast)


async def on_input(ctx: Ctx, event: Text | Contact) -> Turn:
    """Text or a shared contact during registration."""
    step = ctx.state.step
    if isinstance(event, Contact):
        if step not in (Step.REG_PHONE, Step.REG_CODE):
            return ctx.state, say(Msg("reg.contact_not_now"))
        if not event.own:
            return ctx.state, say(Msg("reg.contact_not_own"), request_contact=True)
        return await _take_phone(ctx, event.phone, phones.shared_source(ctx))
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
        state = ctx.state.at(Step.REG_YEAR, year=year)
        if may_be_under(year, local_day(ctx.now, ctx.runtime.tz)):
            return guardian.ask_name(ctx.with_state(state))
        return state.at(Step.REG_PHONE), say(Msg("reg.ask_phone"), request_contact=True)
    if step in guardian.STEPS:
        return await guardian.on_text(ctx, text)
    if step == Step.REG_PHONE:
        return await _take_phone(ctx, text, PhoneSource.TYPED)
    if step == Step.REG_CODE:
        return await _code_typed(ctx, text)
    if step == Step.REG_UNIT:
        return _search_units(ctx, text)
    said = " ".join(fold(text).replace(",", " ").split())
    if said in _YES:
        return await on_confirm(ctx, True)
    if said in _NO:
        return await on_confirm(ctx, False)
    return ctx.state, Outcome((Reply((Msg("hint.confirm"),)), *_confirm_reply(ctx).replies))


async def _take_phone(ctx: Ctx, raw: str, source: PhoneSource) -> Turn:
    phone = normalise_phone(raw)
    if phone is None:
        return ctx.state.at(Step.REG_PHONE), say(Msg("reg.bad_phone"), request_contact=True)
    if source is PhoneSource.TYPED and phones.proves_by_code(ctx):  # the web chat proves it before anything
        return await phones.start_proof(ctx, phone)
    if not await phones.claimable(ctx, phone, source):
        hint = "reg.phone_taken_share" if ctx.account.channel in phones.PLATFORMS and not source.verified \
            else "reg.phone_taken"
        return ctx.state.at(Step.REG_PHONE), say(Msg(hint), request_contact=True)
    return _phone_accepted(ctx, phone, source)


async def _code_typed(ctx: Ctx, text: str) -> Turn:
    """The code sent to the typed number: once right, the number is proven (and, if a proven registration
    holds it already, that registration is this citizen's: it carries on here)."""
    phone = str(ctx.state.data.get("pending_phone") or "")
    verdict = await phones.check_code(ctx, phone, Purpose.REGISTER, text)
    if verdict is not Check.OK:
        return ctx.state, phones.ask_code(phone, phones.refusal(verdict))
    if not await phones.claimable(ctx, phone, PhoneSource.CODE):
        person = await ctx.people.recover(account_id=ctx.account.id, phone=phone, now=ctx.now)
        if person is not None:
            mine = ctx.with_account(replace(ctx.account, participant_id=person.id))
            return menu(mine, Msg("recover.done", name=person.full_name), toast=Msg("toast.saved"))
        return ctx.state.at(Step.REG_PHONE), say(Msg("reg.phone_taken"), request_contact=True)
    return _phone_accepted(ctx, phone, PhoneSource.CODE)


def _phone_accepted(ctx: Ctx, phone: str, source: PhoneSource) -> Turn:
    """The number is the citizen's for this registration: on to the unit."""
    state = ctx.state.at(Step.REG_UNIT, phone=phone, phone_source=source.value, pending_phone=None)
    preset = ctx.state.data.get("start_code")
    units = ctx.runtime.units
    if isinstance(preset, str) and preset in units:
        state = state.at(Step.REG_CONFIRM, unit=preset)
        return state, _confirm_reply(ctx.with_state(state))
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


async def on_unit_press(ctx: Ctx, action: Unit | UnitPick | UnitPage | UnitFound) -> Turn:
    """Unit opens a unit or picks a leaf; UnitPick picks it; UnitPage and UnitFound page."""
    units = ctx.runtime.units
    if ctx.state.step not in (Step.REG_UNIT, Step.REG_CONFIRM):
        raise Elsewhere()
    if isinstance(action, UnitFound):
        query = ctx.state.data.get("unit_query")
        if not isinstance(query, str):
            raise Elsewhere()
        return _search_units(ctx, query, page=action.page)
    if isinstance(action, UnitPage):
        if action.parent is not None and action.parent not in units:
            raise Elsewhere()
        return ctx.state, unit_page(ctx, action.parent, action.page, Msg("reg.ask_unit"))
    unit = units.get(action.code)
    if unit is None:
        raise Elsewhere()
    if isinstance(action, Unit) and not units.is_leaf(unit.code):
        return ctx.state.at(Step.REG_UNIT), unit_page(ctx, unit.code, 0, Msg("reg.ask_unit"))
    if ctx.state.data.get("changing") and ctx.account.participant_id is not None:
        await ctx.people.change_unit(participant_id=ctx.account.participant_id, unit_code=unit.code)
        path = " › ".join(u.name for u in units.path(unit.code))
        return menu(ctx, Msg("data.unit_changed", unit=path), toast=Msg("toast.saved"))
    state = ctx.state.at(Step.REG_CONFIRM, unit=unit.code)
    return state, _confirm_reply(ctx.with_state(state))


def _search_units(ctx: Ctx, text: str, *, page: int = 0) -> Turn:
    """Units matching a typed name, a page at a time, every match reachable."""
    query = text.strip()[:QUERY_LIMIT]
    found = find_units(ctx.runtime.units, query)
    if not found:
        return ctx.state, say(Msg("reg.unit_not_found", text=query))
    pages = -(-len(found) // PAGE)
    page = min(max(page, 0), pages - 1)
    chunk = found[page * PAGE:(page + 1) * PAGE]
    rows: list[tuple[Button, ...]] = [
        (Button(Msg("reg.unit_path", path=" › ".join(p.name for p in ctx.runtime.units.path(f.unit.code)[1:])),
                UnitPick(f.unit.code)),) for f in chunk]
    nav = [button("reg.unit_prev", UnitFound(page - 1))] if page > 0 else []
    if page + 1 < pages:
        nav.append(button("reg.unit_next", UnitFound(page + 1)))
    if nav:
        rows.append(tuple(nav))
    intro = Msg("reg.unit_choose_found", count=len(found)) if pages == 1 else \
        Msg("reg.unit_choose_found_page", count=len(found), page=page + 1, pages=pages)
    return ctx.state.at(Step.REG_UNIT, unit_query=query), say(intro, buttons=tuple(rows), replace=page > 0)


def _confirm_reply(ctx: Ctx) -> Outcome:
    d = ctx.state.data
    path = " › ".join(u.name for u in ctx.runtime.units.path(str(d.get("unit"))))
    return say(
        Msg("reg.confirm", name=d.get("name"), year=str(d.get("year")), phone=d.get("phone"), unit=path),
        buttons=((button("reg.confirm_yes", Confirm(ok=True)), button("reg.confirm_redo", Confirm(ok=False))),),
    )


async def on_confirm(ctx: Ctx, ok: bool) -> Turn:
    if ctx.state.step != Step.REG_CONFIRM:
        raise Elsewhere()
    if not ok:
        return ask_name(ctx)
    d = ctx.state.data
    start = d.get("start_code")
    referral = start if isinstance(start, str) and start not in ctx.runtime.units else None
    try:
        person = await ctx.people.register(
            account_id=ctx.account.id, full_name=str(d["name"]), birth_year=int(d["year"]), phone=str(d["phone"]),
            unit_code=str(d["unit"]), referral=referral, now=ctx.now,
            phone_source=PhoneSource.stored(d.get("phone_source")))
    except PhoneTaken:
        now_mine = await ctx.people.account(channel=ctx.account.channel, external_id=ctx.account.external_id,
                                            locale=ctx.locale, now=ctx.now)
        person_id = now_mine.participant_id
        if person_id is not None:  # a double tap on "Xác nhận" that another worker registered first
            done = await ctx.people.participant(person_id)
            if done is not None:
                return menu(ctx.with_account(now_mine), Msg("reg.done", name=done.full_name,
                                                           number=candidate_number(done.id)))
        return ctx.state.at(Step.REG_PHONE), say(Msg("reg.phone_taken"), request_contact=True)
    except (KeyError, ValueError):
        return ask_name(ctx)
    kept = guardian.collected(ctx)
    if kept is not None:
        await ctx.people.set_guardian(participant_id=person.id, guardian=kept, now=ctx.now)
    registered = ctx.with_account(replace(ctx.account, participant_id=person.id))
    welcome = Msg("reg.done", name=person.full_name, number=candidate_number(person.id))
    return menu(registered, welcome, *_typed_number_note(registered, person), toast=Msg("toast.saved"))


def _typed_number_note(ctx: Ctx, person: Participant) -> tuple[Msg, ...]:
    """A number only typed, in a contest that ranks or rewards proven ones only: said now, with where to
    prove it, not first at the result."""
    rule = ctx.runtime.contest.verified_phones
    if (ranks(rule, False) and may_win(rule, False)) or not phones.typed_number(person):
        return ()
    where = Msg("reg.prove_here") if phones.may_prove(ctx, person) else Msg("reg.prove_elsewhere")
    return (Msg("reg.typed_to_win") if ranks(rule, False) else Msg("reg.typed_to_rank"), where)


def candidate_number(participant_id: int) -> str:
    """The number a participant is known by on lists (số báo danh): their id, six digits at least."""
    return f"{participant_id:06d}"
