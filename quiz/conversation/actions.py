"""What a button does, in the engine's own words; `encode` and `decode` give the short text channels carry.

The text is the wire format of buttons already sitting in citizens' chats: never change a spelling.
`decode` accepts exactly the texts `encode` makes and raises `BadAction` for anything else.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from quiz.model import LETTERS, LOCALES
from quiz.people import PURPOSES

MAX_BYTES = 48  # encoded, so a channel may add its own prefix (Telegram allows 64 bytes of callback data)
MAX_ID = 2**63 - 1  # attempt ids are signed 64-bit integers in storage
MAX_POSITION = 999  # a paper has at most a few dozen questions
MAX_PAGE = 999
_WIRE = re.compile(rf"[!-~]{{1,{MAX_BYTES}}}")  # printable ASCII without spaces
_DIGITS = re.compile(r"[0-9]{1,19}")


class BadAction(ValueError):
    """Text that no button of this engine carries: old, foreign, forged or typed."""


class Action:
    """What pressing a button asks the engine to do."""

    __slots__ = ()

    @property
    def public(self) -> bool:
        """True when it shows everyone the same public content, so it may be pressed in a group chat."""
        return False


class PublicAction(Action):
    """Reading without personal data: rules, tips, FAQ, leaderboard, language, help."""

    __slots__ = ()

    @property
    def public(self) -> bool:
        return True


class MenuItem(StrEnum):
    MAIN = ""
    PLAY = "play"
    JOIN = "join"
    RULES = "rules"
    TIPS = "tips"
    RESULTS = "res"
    LEADERBOARD = "lb"
    DATA = "data"
    LANGUAGE = "lang"
    HELP = "help"


_PUBLIC_MENU = frozenset({MenuItem.MAIN, MenuItem.RULES, MenuItem.TIPS, MenuItem.LEADERBOARD, MenuItem.LANGUAGE,
                          MenuItem.HELP})


class DataItem(StrEnum):
    ERASE = "erase"  # asks to confirm
    ERASE_CONFIRMED = "erase!"
    UNIT = "unit"
    NEWS_OFF = "news_off"
    LINK = "link"
    PRIZES_OFF = "prizes_off"
    WITHDRAW = "withdraw"  # asks to confirm
    WITHDRAW_CONFIRMED = "withdraw!"
    GUARDIAN = "guardian"  # give a parent's or guardian's consent now (a participant who may be under 16)
    PROVE = "prove"  # prove the registered number, typed when registering
    PROVE_REPLACE = "prove!"  # use the number the platform shared instead of the one typed (asked first)
    PROVE_OTHER = "prove_other"  # the code went to a number that is not theirs: prove another one instead


@dataclass(frozen=True, slots=True)
class Menu(Action):
    item: MenuItem = MenuItem.MAIN

    @property
    def public(self) -> bool:
        return self.item in _PUBLIC_MENU


@dataclass(frozen=True, slots=True)
class Consent(Action):
    purpose: str  # one of PURPOSES
    yes: bool


@dataclass(frozen=True, slots=True)
class Unit(Action):
    """Open a unit's children, or pick it when it has none."""

    code: str


@dataclass(frozen=True, slots=True)
class UnitPick(Action):
    code: str


@dataclass(frozen=True, slots=True)
class UnitPage(Action):
    parent: str | None  # None: the top of the tree
    page: int


@dataclass(frozen=True, slots=True)
class Confirm(Action):
    """Registration: confirm what was typed, or start over."""

    ok: bool


@dataclass(frozen=True, slots=True)
class PickRound(Action):
    code: str


@dataclass(frozen=True, slots=True)
class Answer(Action):
    attempt: int
    position: int  # 0-based question of the paper
    choice: int  # 0-based option as shown


@dataclass(frozen=True, slots=True)
class Submit(Action):
    attempt: int


@dataclass(frozen=True, slots=True)
class SubmitConfirmed(Action):
    """Hand in, after seeing how many questions are unanswered and how much time is left."""

    attempt: int


@dataclass(frozen=True, slots=True)
class Resume(Action):
    """Back to where the attempt stands: its next question, the prediction, or its result."""

    attempt: int


@dataclass(frozen=True, slots=True)
class Continue(Action):
    """Back to whatever the conversation was doing: a registration step, an attempt, a question asked."""


@dataclass(frozen=True, slots=True)
class Review(Action):
    """A page of a finished attempt's paper with the citizen's answers, the keys and the explanations."""

    attempt: int
    page: int


@dataclass(frozen=True, slots=True)
class UnitFound(Action):
    """Another page of the units found by the name typed at the unit step."""

    page: int


@dataclass(frozen=True, slots=True)
class SkipPrediction(Action):
    attempt: int


@dataclass(frozen=True, slots=True)
class RulesSection(PublicAction):
    id: str


@dataclass(frozen=True, slots=True)
class ShowTip(PublicAction):
    topic: str | None = None  # None: any topic


@dataclass(frozen=True, slots=True)
class TipTopics(PublicAction):
    pass


@dataclass(frozen=True, slots=True)
class Faq(PublicAction):
    id: str


@dataclass(frozen=True, slots=True)
class Leaderboard(PublicAction):
    round: str


@dataclass(frozen=True, slots=True)
class Language(PublicAction):
    code: str  # one of LOCALES


@dataclass(frozen=True, slots=True)
class Data(Action):
    item: DataItem


@dataclass(frozen=True, slots=True)
class GuardianAgrees(Action):
    """The parent or guardian, at the citizen's phone, agrees (or not) after reading what they agree to."""

    yes: bool


@dataclass(frozen=True, slots=True)
class CodeAgain(Action):
    """Send a new one-time code to the number being proven."""


@dataclass(frozen=True, slots=True)
class Recover(Action):
    """A registered citizen on a new browser: prove the number by a code and carry on here."""


@dataclass(frozen=True, slots=True)
class LinkAskCode(Action):
    pass


@dataclass(frozen=True, slots=True)
class LinkConfirm(Action):
    pass


@dataclass(frozen=True, slots=True)
class WebPage(PublicAction):
    """A link the channel opens itself; the engine is never asked to act on it."""

    url: str  # https://…


def encode(action: Action) -> str:
    """The text a button carries for `action`, spelt as buttons always have been."""
    match action:
        case Menu(item=MenuItem.MAIN):
            return "m"
        case Menu(item=item):
            return f"m:{item.value}"
        case Consent(purpose=purpose, yes=yes):
            return f"c:{purpose}:{'y' if yes else 'n'}"
        case Unit(code=code):
            return f"u:{code}"
        case UnitPick(code=code):
            return f"uk:{code}"
        case UnitPage(parent=parent, page=page):
            return f"up:{parent or ''}:{page}"
        case Confirm(ok=ok):
            return "r:ok" if ok else "r:redo"
        case PickRound(code=code):
            return f"rd:{code}"
        case Answer(attempt=attempt, position=position, choice=choice):
            return f"a:{attempt}:{position}:{choice}"
        case Submit(attempt=attempt):
            return f"fin:{attempt}"
        case SubmitConfirmed(attempt=attempt):
            return f"fin!:{attempt}"
        case Resume(attempt=attempt):
            return f"go:{attempt}"
        case Continue():
            return "go"
        case Review(attempt=attempt, page=page):
            return f"rv:{attempt}:{page}"
        case UnitFound(page=page):
            return f"uf:{page}"
        case SkipPrediction(attempt=attempt):
            return f"ps:{attempt}"
        case RulesSection(id=section):
            return f"rs:{section}"
        case ShowTip(topic=topic):
            return f"t:{topic or 'rand'}"
        case TipTopics():
            return "t:topics"
        case Faq(id=entry):
            return f"f:{entry}"
        case Leaderboard(round=code):
            return f"lb:{code}"
        case Language(code=code):
            return f"l:{code}"
        case Data(item=item):
            return f"d:{item.value}"
        case GuardianAgrees(yes=yes):
            return "g:y" if yes else "g:n"
        case CodeAgain():
            return "cd:again"
        case Recover():
            return "rc"
        case LinkAskCode():
            return "lk:code"
        case LinkConfirm():
            return "lk:ok"
        case WebPage(url=url):
            return url
    raise TypeError(f"not an engine action: {type(action).__name__}")


def decode(text: object) -> Action:
    """The action a button's text stands for; BadAction (and nothing else) for any other text."""
    if not isinstance(text, str) or not _WIRE.fullmatch(text):
        raise BadAction("not an engine action")
    try:
        action = _parse(text)
    except ValueError:  # a number or a name out of range
        action = None
    if action is None or encode(action) != text:  # one spelling per action: "a:01:0:0" was never made
        raise BadAction("not an engine action")
    return action


def _parse(text: str) -> Action | None:
    if text.startswith("https://"):
        return WebPage(text)
    kind, _, rest = text.partition(":")
    match kind:
        case "m":
            return Menu(MenuItem(rest))
        case "c":
            purpose, _, answer = rest.partition(":")
            return Consent(purpose, answer == "y") if purpose in PURPOSES and answer in ("y", "n") else None
        case "u":
            return Unit(_code(rest))
        case "uk":
            return UnitPick(_code(rest))
        case "up":
            parent, _, page = rest.rpartition(":")
            return UnitPage(parent or None, _number(page, MAX_PAGE))
        case "r":
            return {"ok": Confirm(True), "redo": Confirm(False)}.get(rest)
        case "rd":
            return PickRound(_code(rest))
        case "a":
            attempt, position, choice = rest.split(":")
            return Answer(_number(attempt, MAX_ID), _number(position, MAX_POSITION),
                          _number(choice, len(LETTERS) - 1))
        case "fin":
            return Submit(_number(rest, MAX_ID))
        case "fin!":
            return SubmitConfirmed(_number(rest, MAX_ID))
        case "go":
            return Resume(_number(rest, MAX_ID)) if rest else Continue()
        case "rv":
            attempt, _, page = rest.partition(":")
            return Review(_number(attempt, MAX_ID), _number(page, MAX_PAGE))
        case "uf":
            return UnitFound(_number(rest, MAX_PAGE))
        case "ps":
            return SkipPrediction(_number(rest, MAX_ID))
        case "rs":
            return RulesSection(_code(rest))
        case "t":
            return TipTopics() if rest == "topics" else ShowTip(None if rest == "rand" else _code(rest))
        case "f":
            return Faq(_code(rest))
        case "lb":
            return Leaderboard(_code(rest))
        case "l":
            return Language(rest) if rest in LOCALES else None
        case "d":
            return Data(DataItem(rest))
        case "lk":
            return {"code": LinkAskCode(), "ok": LinkConfirm()}.get(rest)
        case "g":
            return {"y": GuardianAgrees(True), "n": GuardianAgrees(False)}.get(rest)
        case "cd":
            return CodeAgain() if rest == "again" else None
        case "rc":
            return Recover() if not rest else None
    return None


def _code(text: str) -> str:
    if not text:
        raise ValueError("empty code")
    return text


def _number(text: str, top: int) -> int:
    if not _DIGITS.fullmatch(text) or int(text) > top:
        raise ValueError("not a number in range")
    return int(text)
