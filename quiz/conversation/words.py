"""Menu words and greetings typed as text ("thi ngay", "the le", "xin chào", "menu"), with or without
accents or the buttons' emoji: each does what its button does. Only a whole message counts, so a
question that merely contains such a word still goes to the free-text search."""
from __future__ import annotations

import re

from quiz.conversation.actions import Action, Language, Menu, MenuItem
from quiz.text import fold

_NOT_WORDS = re.compile(r"[^a-z0-9 ]+")
_WORDS: dict[str, Action] = {}
for _item, _said in (
    (MenuItem.MAIN, ("menu", "main menu", "trang chu", "quay lai", "huy", "huy bo", "thoat", "cancel", "back")),
    (MenuItem.JOIN, ("xin chao", "chao", "chao ban", "chao bot", "chao ad", "alo", "hello", "hi", "hey",
                     "bat dau", "start", "dang ky", "dang ki", "dang ky du thi", "dang ki du thi", "register",
                     "sign up")),
    (MenuItem.PLAY, ("thi ngay", "thi", "vao thi", "du thi", "lam bai", "lam bai thi", "bat dau thi", "play",
                     "start the quiz", "take the quiz", "luyen tap", "practice")),
    (MenuItem.RULES, ("the le", "the le cuoc thi", "xem the le", "rules", "contest rules")),
    (MenuItem.TIPS, ("meo", "meo dich vu so", "xem meo", "tips", "digital service tips")),
    (MenuItem.RESULTS, ("ket qua", "ket qua cua toi", "xem ket qua", "results", "my results")),
    (MenuItem.LEADERBOARD, ("bang xep hang", "bxh", "xep hang", "leaderboard", "ranking")),
    (MenuItem.DATA, ("du lieu cua toi", "du lieu", "my data")),
    (MenuItem.LANGUAGE, ("ngon ngu", "doi ngon ngu", "language")),
    (MenuItem.HELP, ("tro giup", "huong dan", "help")),
):
    _WORDS.update(dict.fromkeys(_said, Menu(_item)))
_WORDS.update({"tieng viet": Language("vi"), "english": Language("en"), "tieng anh": Language("en")})
LEAVING = frozenset(k for k, v in _WORDS.items() if v == Menu(MenuItem.MAIN))


def plain(text: str) -> str:
    """Text as a menu word is compared: folded, without emoji or punctuation, single-spaced."""
    return " ".join(_NOT_WORDS.sub(" ", fold(text)).split())


def menu_word(text: str) -> Action | None:
    """The button a whole typed message stands for, if it is a menu word or a greeting."""
    return _WORDS.get(plain(text))
