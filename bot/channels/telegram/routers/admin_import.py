"""An admin sends a question file to the bot in the private chat: a dry run, then "Xuất bản" or "Huỷ".

The import use case (quiz.services.imports) validates, keeps the dry run in storage and
publishes; this router only downloads, renders and re-checks the admin.
Documents from anyone else fall through to the polite hint of the `other` router."""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Collection

import aiohttp
from aiogram import F, Router
from aiogram.exceptions import AiogramError
from aiogram.methods import EditMessageText, GetFile, SendMessage
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, User

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.render import TEXT_LIMIT
from bot.import_files import from_bytes
from quiz.audit import Actor
from quiz.conversation.engine import guess_locale
from quiz.conversation.messages import Msg
from quiz.drafts import Stale
from quiz.imports import MAX_FILE_BYTES, LiveRounds
from quiz.model import pick
from quiz.problems import Invalid, Problem
from quiz.services.imports import Imports, Pending

log = logging.getLogger(__name__)
PREFIX = "imp|"  # callback data "imp|p|TOKEN" (publish) or "imp|x|TOKEN" (cancel); never the engine's
SHOWN_PROBLEMS = 30


def owner_of(user: User) -> str:
    return f"telegram:{user.id}"


def actor_of(user: User) -> Actor:
    return Actor(owner_of(user), "telegram")


def read_caption(caption: str | None, sets: list[str], topics: list[str]) -> tuple[str | None, str | None]:
    """(set name, default topic) from a caption like "bo-thu vneid"; the only set when none is named."""
    words = [w.strip(",;") for w in (caption or "").split()]
    topic = next((w for w in words if w in topics), None)
    named = next((w for w in words if w not in topics), None)
    return named or (sets[0] if len(sets) == 1 else None), topic


def problem_lines(problems: list[Problem], channel: TelegramChannel, locale: str) -> str:
    t = channel.translator
    lines = [t.text(Msg("problem.header", count=len(problems)), locale)]
    for p in problems[:SHOWN_PROBLEMS]:
        where, what = t.problem(p, locale)
        lines.append(f"• {' '.join(x for x in (p.file, where) if x)}: {what}")
    if len(problems) > SHOWN_PROBLEMS:
        lines.append(t.text(Msg("admin_import.more_problems", count=len(problems) - SHOWN_PROBLEMS), locale))
    text = "\n".join(lines)
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"


def diff_text(pending: Pending, channel: TelegramChannel, locale: str) -> str:
    plan, t = pending.plan, channel.translator
    d = plan.diff
    current = Msg("admin_import.version", version=plan.current_version) if plan.current_version else \
        Msg("admin_import.new_set")
    parts = [t.text(Msg("admin_import.diff", file=pending.name, name=plan.set_name, count=len(plan.questions),
                        current=current, added=len(d.added), removed=len(d.removed), changed=len(d.changed)), locale)]
    if d.rekeyed:
        parts.append(t.text(Msg("admin_import.rekeyed", ids=", ".join(d.rekeyed[:20])), locale))
    if d.empty:
        parts.append(t.text(Msg("admin_import.no_change"), locale))
    if pending.live:
        parts.append(t.text(Msg("admin_import.live", rounds=_titles(pending, locale)), locale))
    return "\n\n".join(parts)


def _titles(pending: Pending, locale: str) -> str:
    return ", ".join(pick(r.title, locale) for r in pending.live)


def router(channel: TelegramChannel, desk: Imports, admins: Collection[int]) -> Router:
    r = Router(name="admin_import")
    allowed = frozenset(admins)

    @r.message(F.document, F.chat.type == "private", F.from_user.id.in_(allowed))
    async def document(message: Message) -> None:
        user, doc = message.from_user, message.document
        assert user is not None and doc is not None
        locale = guess_locale(user.language_code)

        async def say(msg: Msg | str, markup: InlineKeyboardMarkup | None = None) -> None:
            text = msg if isinstance(msg, str) else channel.translator.text(msg, locale)
            await channel.sender.send(SendMessage(chat_id=message.chat.id, text=text, reply_markup=markup))

        name = doc.file_name or "tep"
        limit_mb = MAX_FILE_BYTES // (1024 * 1024)
        if doc.file_size is not None and doc.file_size > MAX_FILE_BYTES:
            await say(Msg("admin_import.too_large", file=name, limit=limit_mb))
            return
        sets, topics = desk.targets()
        set_name, topic = read_caption(message.caption, sets, topics)
        if set_name is None:
            await say(Msg("admin_import.which_set", sets=", ".join(sets) or "—"))
            return
        try:
            data = await download(channel, doc.file_id, MAX_FILE_BYTES)
        except TooLarge:
            await say(Msg("admin_import.too_large", file=name, limit=limit_mb))
            return
        except (AiogramError, OSError, aiohttp.ClientError) as exc:
            log.warning("telegram: could not download a question file from admin %s: %s", user.id, type(exc).__name__)
            await say(Msg("admin_import.download_failed", file=name))
            return
        try:
            pending = await desk.check(from_bytes(data, name=name, default_topic=topic), file=name, set_name=set_name,
                                       default_topic=topic, owner=owner_of(user), by=actor_of(user),
                                       now=channel.dispatcher.clock(), source_hash=hashlib.sha256(data).hexdigest())
        except Invalid as exc:
            await say(problem_lines(exc.problems, channel, locale))
            return
        except ValueError:  # bot.import_files.TooLarge
            await say(Msg("admin_import.too_large", file=name, limit=limit_mb))
            return
        t = channel.translator
        publish = Msg("admin_import.publish_live", rounds=_titles(pending, locale)) if pending.live \
            else Msg("admin_import.publish")  # the button names the live rounds: pressing it confirms them
        buttons = InlineKeyboardMarkup(inline_keyboard=[[
            InlineKeyboardButton(text=t.text(publish, locale)[:60], callback_data=f"{PREFIX}p|{pending.token}"),
            InlineKeyboardButton(text=t.text(Msg("admin_import.cancel"), locale),
                                 callback_data=f"{PREFIX}x|{pending.token}"),
        ]])
        await say(diff_text(pending, channel, locale), buttons)

    @r.callback_query(F.data.startswith(PREFIX))
    async def press(callback: CallbackQuery) -> None:
        user, locale = callback.from_user, guess_locale(callback.from_user.language_code)
        _prefix, verb, token = ((callback.data or "") + "||").split("|")[:3]
        if user.id not in allowed:  # re-checked on every press: the list may have changed
            log.warning("telegram: import button pressed by non-admin %s", user.id)
            await channel.answer(callback, Msg("admin_import.not_admin"), locale)
            return
        now = channel.dispatcher.clock()
        if verb == "x":
            await desk.cancel(token, owner=owner_of(user), now=now)
            await channel.answer(callback, Msg("admin_import.cancelled"), locale)
            await _close(channel, callback, Msg("admin_import.cancelled"), locale)
            return
        shown = await desk.pending(token, owner=owner_of(user), now=now)
        try:
            published = await desk.publish(token, owner=owner_of(user), by=actor_of(user), now=now,
                                           confirmed=[r.code for r in shown.live] if shown else ())
        except (Stale, LiveRounds):  # expired, not theirs, already published, the set or its rounds changed since
            await channel.answer(callback, Msg("admin_import.stale"), locale)
            await _close(channel, callback, Msg("admin_import.stale"), locale)
            return
        except Invalid as exc:  # a live round could no longer draw a paper
            await channel.answer(callback, Msg("admin_import.stale"), locale)
            await _close(channel, callback, Msg("admin_import.stale"), locale)
            await channel.sender.send(SendMessage(chat_id=user.id, text=problem_lines(exc.problems, channel, locale)))
            return
        pub = published.publication
        result = [Msg("admin_import.published", name=pub.name, version=pub.version, count=pub.count) if pub.changed
                  else Msg("admin_import.unchanged", name=pub.name, version=pub.version)]
        if published.answers_regraded or published.rekeyed:
            result.append(Msg("admin_import.regraded", answers=published.answers_regraded,
                              attempts=published.attempts_regraded))
        await channel.answer(callback, result[0], locale)
        await _close(channel, callback, result, locale)

    return r


class TooLarge(Exception):
    """The file is larger than the desk accepts; reading stopped at the limit."""


async def download(channel: TelegramChannel, file_id: str, limit: int) -> bytes:
    """The file's bytes, never reading more than `limit` (the size Telegram declares may be missing)."""
    bot = channel.sender.bot
    file = await channel.sender.call(GetFile(file_id=file_id), paced=False)
    if file.file_path is None:
        raise OSError("Telegram gave no file path")
    if file.file_size is not None and file.file_size > limit:
        raise TooLarge(file.file_size)
    data = bytearray()
    url = bot.session.api.file_url(bot.token, file.file_path)
    async for chunk in bot.session.stream_content(url=url, timeout=60, chunk_size=65536, raise_for_status=True):
        data += chunk
        if len(data) > limit:
            raise TooLarge(len(data))
    return bytes(data)


async def _close(channel: TelegramChannel, callback: CallbackQuery, result: Msg | list[Msg], locale: str) -> None:
    """Replace the dry run's buttons with what happened, so nobody presses them twice."""
    message = callback.message
    if not isinstance(message, Message):
        return
    msgs = result if isinstance(result, list) else [result]
    text = (message.text or "") + "\n\n" + "\n".join(channel.translator.text(m, locale) for m in msgs)
    await channel.sender.send(EditMessageText(chat_id=message.chat.id, message_id=message.message_id,
                                              text=text[:TEXT_LIMIT]))
