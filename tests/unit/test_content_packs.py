"""Every pack shipped in content/ is valid, and its FAQ answers its own paraphrases."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.content import read_pack
from quiz.pack import ContestPack, parse_units
from quiz.search import AnswerIndex, Confidence, items_of
from quiz.text import fold

CONTENT = Path(__file__).resolve().parent.parent.parent / "content"
PACKS = sorted(p.parent for p in CONTENT.glob("*/contest.yaml"))


@pytest.fixture(params=PACKS, ids=[p.name for p in PACKS], scope="module")
def pack(request: pytest.FixtureRequest) -> ContestPack:
    return read_pack(request.param)


def test_there_are_packs_to_check() -> None:
    assert {p.name for p in PACKS} >= {"sample", "ha-giang"}


def test_every_round_can_draw_a_full_paper(pack: ContestPack) -> None:
    sets = {s.name: s for s in pack.question_sets}
    for r in pack.contest.rounds:
        questions = sets[r.question_set].questions
        assert len(questions) >= r.questions_per_attempt
        for topic, n in r.topic_quotas.items():
            assert sum(q.topic == topic for q in questions) >= n, (r.code, topic)


def test_each_question_has_exactly_one_correct_option_and_no_repeats(pack: ContestPack) -> None:
    for qs in pack.question_sets:
        for q in qs.questions:
            assert 0 <= q.correct < len(q.options)
            assert len({fold(o) for o in q.options}) == len(q.options), q.id
            assert len(q.text) <= 300 and all(len(o) <= 100 for o in q.options) and len(q.explanation) <= 200
            assert q.source, f"{q.id} has no source"


def answers(pack: ContestPack) -> AnswerIndex:
    """The search free text uses: the FAQ, the tips and the rules together."""
    return AnswerIndex(items_of(pack.faq, pack.tips, pack.rules, pack.contest.topics))


def test_faq_paraphrases_find_their_own_entry(pack: ContestPack, capsys: pytest.CaptureFixture[str]) -> None:
    index = answers(pack)
    misses: list[str] = []
    total = 0
    for entry in pack.faq:
        for phrase in entry.paraphrases:
            for query in {phrase, fold(phrase)}:
                total += 1
                match = index.find(query)
                if match.confidence is not Confidence.SURE or match.items[0].id != entry.id:
                    got = match.items[0].id if match.items else "-"
                    misses.append(f"{query!r} → {got} ({match.confidence.value}), expected {entry.id}")
    with capsys.disabled():
        print(f"\n[{pack.contest.slug}] FAQ paraphrase hit rate: {total - len(misses)}/{total}")
    assert misses == []


def test_the_two_level_unit_file_loads_as_a_tree() -> None:
    path = CONTENT / "ha-giang" / "units-2025.csv"
    units, problems = parse_units(path.read_text(encoding="utf-8"), file=path.name)
    assert problems == []
    roots = [u for u in units if u.parent is None]
    assert len(roots) == 1 and all(u.parent == roots[0].code for u in units if u is not roots[0])


@pytest.mark.parametrize(("query", "entry"), [
    ("khi nao bat dau thi", "thoi-gian-thi"),
    ("bao nhieu cau hoi moi luot", "so-cau-hoi"),
    ("quen mat khau vneid thi lam sao", "quen-mat-khau-vneid"),
    ("mỗi tuần được thi mấy lần", "so-luot-thi"),
    ("giải nhất được gì", "giai-thuong"),
    ("bi mat mang khi dang thi", "mat-ket-noi"),
])
def test_ha_giang_faq_answers_phrasings_it_was_never_given(query: str, entry: str) -> None:
    match = answers(read_pack(CONTENT / "ha-giang")).find(query)
    assert (match.confidence, [e.id for e in match.items]) == (Confidence.SURE, [entry])


@pytest.mark.parametrize("query", ["xin chao", "hom nay an gi", "cam on ban nhe", "hôm nay trời đẹp quá"])
def test_small_talk_is_not_answered_with_a_confident_wrong_answer(query: str) -> None:
    match = answers(read_pack(CONTENT / "ha-giang")).find(query)
    assert match.confidence is not Confidence.SURE


def test_every_ha_giang_district_has_a_population_so_the_collective_ranking_has_real_figures() -> None:
    from quiz.units import COMPARED_LEVEL, UnitTree, collective_ranking, roll_up

    pack = read_pack(CONTENT / "ha-giang")
    tree = UnitTree(pack.units)
    communes = [u.code for u in pack.units if tree.is_leaf(u.code)]
    stats = roll_up(tree, participants={code: 1 for code in communes}, attempts={})
    ranked, unranked = collective_ranking(stats, depth=COMPARED_LEVEL)
    assert len(ranked) == 11 and unranked == []
    assert all(0 < s.rate < 0.01 for s in ranked)  # type: ignore[operator]
    names = {u.name for u in pack.units}
    assert {"Xã Sủng Cháng", "Xã Nậm Ty", "Xã Sà Phìn", "Thị trấn Phố Bảng"} <= names


def test_practice_draws_from_its_own_bank_and_never_shows_a_ranked_question() -> None:
    pack = read_pack(CONTENT / "ha-giang")
    sets = {s.name: {q.id for q in s.questions} for s in pack.question_sets}
    practice = [r for r in pack.contest.rounds if r.practice]
    ranked = [r for r in pack.contest.rounds if r.ranked]
    assert practice and all(r.question_set not in {x.question_set for x in ranked} for r in practice)
    assert not sets[practice[0].question_set] & sets[ranked[0].question_set]
