"""Button actions: typed in the engine, spelt on the wire exactly as buttons in citizens' chats already are."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quiz.conversation import actions
from quiz.conversation.actions import (
    MAX_BYTES,
    Action,
    Answer,
    BadAction,
    CodeAgain,
    Confirm,
    Consent,
    Continue,
    Data,
    DataItem,
    Faq,
    GuardianAgrees,
    Language,
    Leaderboard,
    LinkAskCode,
    LinkConfirm,
    Menu,
    MenuItem,
    PickRound,
    PublicAction,
    Recover,
    Resume,
    Review,
    RulesSection,
    ShowTip,
    SkipPrediction,
    Submit,
    SubmitConfirmed,
    TipTopics,
    Unit,
    UnitFound,
    UnitPage,
    UnitPick,
    WebPage,
    decode,
    encode,
)
from quiz.model import LOCALES

# What the flows wrote before actions were typed: old buttons still carry these texts.
WIRE = {
    "m": Menu(), "m:play": Menu(MenuItem.PLAY), "m:join": Menu(MenuItem.JOIN), "m:rules": Menu(MenuItem.RULES),
    "m:tips": Menu(MenuItem.TIPS), "m:res": Menu(MenuItem.RESULTS), "m:lb": Menu(MenuItem.LEADERBOARD),
    "m:data": Menu(MenuItem.DATA), "m:lang": Menu(MenuItem.LANGUAGE), "m:help": Menu(MenuItem.HELP),
    "c:contest:y": Consent("contest", yes=True), "c:contest:n": Consent("contest", yes=False),
    "c:news:y": Consent("news", yes=True), "c:news:n": Consent("news", yes=False),
    "u:T-A": Unit("T-A"), "uk:T-A-1": UnitPick("T-A-1"), "up:T:1": UnitPage("T", 1), "up::0": UnitPage(None, 0),
    "r:ok": Confirm(ok=True), "r:redo": Confirm(ok=False), "rd:chinh": PickRound("chinh"),
    "a:12:3:1": Answer(12, 3, 1), "fin:12": Submit(12), "ps:12": SkipPrediction(12),
    "rs:doi-tuong": RulesSection("doi-tuong"), "t:topics": TipTopics(), "t:rand": ShowTip(),
    "t:vneid": ShowTip("vneid"), "f:thoi-gian": Faq("thoi-gian"), "lb:chinh": Leaderboard("chinh"),
    "l:vi": Language("vi"), "l:en": Language("en"),
    "d:erase": Data(DataItem.ERASE), "d:erase!": Data(DataItem.ERASE_CONFIRMED), "d:unit": Data(DataItem.UNIT),
    "d:news_off": Data(DataItem.NEWS_OFF), "d:link": Data(DataItem.LINK),
    "lk:code": LinkAskCode(), "lk:ok": LinkConfirm(),
    "https://thi.example.vn/the-le": WebPage("https://thi.example.vn/the-le"),
}
# Buttons added since: new kinds with spellings of their own, never a change to an old one.
WIRE |= {"fin!:12": SubmitConfirmed(12), "go:12": Resume(12), "go": Continue(), "rv:12:0": Review(12, 0),
         "uf:2": UnitFound(2)}
WIRE |= {"c:prizes:y": Consent("prizes", yes=True), "c:prizes:n": Consent("prizes", yes=False),
         "g:y": GuardianAgrees(True), "g:n": GuardianAgrees(False), "cd:again": CodeAgain(), "rc": Recover(),
         "d:withdraw": Data(DataItem.WITHDRAW), "d:withdraw!": Data(DataItem.WITHDRAW_CONFIRMED),
         "d:prizes_off": Data(DataItem.PRIZES_OFF), "d:guardian": Data(DataItem.GUARDIAN)}

code = st.from_regex(r"[!-~]{1,20}", fullmatch=True)
attempt = st.integers(0, actions.MAX_ID)
KINDS: dict[type[Action], st.SearchStrategy[Action]] = {
    Menu: st.builds(Menu, st.sampled_from(MenuItem)),
    Consent: st.builds(Consent, st.sampled_from(actions.PURPOSES), st.booleans()),
    Unit: st.builds(Unit, code),
    UnitPick: st.builds(UnitPick, code),
    UnitPage: st.builds(UnitPage, st.none() | code, st.integers(0, actions.MAX_PAGE)),
    Confirm: st.builds(Confirm, st.booleans()),
    PickRound: st.builds(PickRound, code),
    Answer: st.builds(Answer, attempt, st.integers(0, actions.MAX_POSITION), st.integers(0, 5)),
    Submit: st.builds(Submit, attempt),
    SkipPrediction: st.builds(SkipPrediction, attempt),
    RulesSection: st.builds(RulesSection, code),
    ShowTip: st.builds(ShowTip, st.none() | code.filter(lambda t: t not in ("rand", "topics"))),
    TipTopics: st.just(TipTopics()),
    Faq: st.builds(Faq, code),
    Leaderboard: st.builds(Leaderboard, code),
    Language: st.builds(Language, st.sampled_from(LOCALES)),
    Data: st.builds(Data, st.sampled_from(DataItem)),
    LinkAskCode: st.just(LinkAskCode()),
    LinkConfirm: st.just(LinkConfirm()),
    WebPage: st.builds(WebPage, code.map(lambda path: f"https://{path}")),
    SubmitConfirmed: st.builds(SubmitConfirmed, attempt),
    Resume: st.builds(Resume, attempt),
    Continue: st.just(Continue()),
    Review: st.builds(Review, attempt, st.integers(0, actions.MAX_PAGE)),
    UnitFound: st.builds(UnitFound, st.integers(0, actions.MAX_PAGE)),
    GuardianAgrees: st.builds(GuardianAgrees, st.booleans()),
    CodeAgain: st.just(CodeAgain()),
    Recover: st.just(Recover()),
}
PUBLIC = {Menu(MenuItem.MAIN), Menu(MenuItem.RULES), Menu(MenuItem.TIPS), Menu(MenuItem.LEADERBOARD),
          Menu(MenuItem.LANGUAGE), Menu(MenuItem.HELP), RulesSection("doi-tuong"), TipTopics(), ShowTip(),
          ShowTip("vneid"), Faq("thoi-gian"), Leaderboard("chinh"), Language("vi"), Language("en"),
          WebPage("https://thi.example.vn/the-le")}


def test_every_kind_of_action_has_a_spelling_and_is_covered_here() -> None:
    kinds = {v for v in vars(actions).values()
             if isinstance(v, type) and issubclass(v, Action) and v not in (Action, PublicAction)}
    assert kinds == set(KINDS) == {type(a) for a in WIRE.values()}


@pytest.mark.parametrize(("text", "action"), WIRE.items(), ids=list(WIRE))
def test_buttons_already_in_chats_keep_their_meaning_and_spelling(text: str, action: Action) -> None:
    assert decode(text) == action
    assert encode(action) == text


@given(st.one_of(*KINDS.values()))
def test_every_action_comes_back_from_its_text(action: Action) -> None:
    text = encode(action)
    assert text.isascii() and len(text) <= MAX_BYTES
    assert decode(text) == action


KIND_PREFIX = r"(m|c|u|uk|up|r|rd|a|fin|fin!|go|rv|uf|ps|rs|t|f|lb|l|d|lk)"


@given(st.one_of(st.text(), st.from_regex(KIND_PREFIX + r":[\s\S]{0,50}"),
                 st.binary().map(lambda b: b.decode("latin-1"))))
def test_any_text_is_an_action_spelt_exactly_so_or_a_bad_action(text: str) -> None:
    try:
        action = decode(text)
    except BadAction:
        return
    assert encode(action) == text


@pytest.mark.parametrize("text", [
    "a:9223372036854775808:0:0", "fin:9223372036854775808", "ps:99999999999999999999", "a:²:0:0", "fin:٣",
    "a:1:0:6", "a:01:0:0", "a:1:0", "a:-1:0:0", "up:T:x", "m:", "m:nowhere", "c:marketing:y", "c:news:maybe",
    "l:fr", "d:everything", "r:yes", "lk:", "u:", "", " m", "m ", "u:" + "x" * 47, "xyz", "1|m",
    "go:", "go:x", "go:01", "fin!:", "fin!:-1", "rv:1", "rv:1:", "rv:1:x", "uf:", "uf:1000",
])
def test_a_stale_forged_or_out_of_range_button_is_a_bad_action(text: str) -> None:
    with pytest.raises(BadAction):
        decode(text)


def test_the_largest_attempt_id_storage_holds_is_still_a_button() -> None:
    assert decode("a:9223372036854775807:39:5") == Answer(2**63 - 1, 39, 5)


@pytest.mark.parametrize("value", [None, 5, b"m", ["m"]])
def test_something_that_is_not_text_is_a_bad_action(value: object) -> None:
    with pytest.raises(BadAction):
        decode(value)


def test_only_reading_without_personal_data_is_public() -> None:
    examples = set(WIRE.values())
    assert {a for a in examples if a.public} == PUBLIC
