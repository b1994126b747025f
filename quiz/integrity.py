"""Integrity rules: attempts too fast to read, identical answer sheets, referral bursts.

Each rule only raises a flag for organisers to review; nobody is disqualified by a rule."""
from __future__ import annotations

import hashlib
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from quiz.attempts import PaperItem
from quiz.model import Question
from quiz.text import squash

REVIEW_STATUSES = ("open", "cleared", "disqualified")


class FlagKind(StrEnum):
    TOO_FAST = "too_fast"
    SAME_ANSWERS = "same_answers"
    REFERRAL_BURST = "referral_burst"
    MANUAL = "manual"  # an organiser's own finding, not a rule's
    PHONE_TAKEN_OVER = "phone_taken_over"  # the verified owner of the number claimed it


Pick = tuple[str, int]  # (question id, the option chosen as the question lists it, not as the paper showed it)


@dataclass(frozen=True, slots=True)
class AttemptTrace:
    """What the rules need of one finished attempt: timing, and what was chosen for each question."""

    participant_id: int
    attempt_id: int
    answered: int
    started_at: datetime
    last_answer_at: datetime
    set_name: str = ""
    set_version: int = 0
    picks: tuple[Pick, ...] = ()
    fingerprint: str = ""  # the answer sheet (answer_sheet), filled in by whoever knows the questions


@dataclass(frozen=True, slots=True)
class Registration:
    participant_id: int
    referral: str
    registered_at: datetime


@dataclass(frozen=True, slots=True)
class Flag:
    kind: FlagKind
    participant_id: int
    attempt_id: int | None
    detail: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Review:
    """A flag organisers look at, and what they decided."""

    id: int
    round_code: str
    participant_id: int
    attempt_id: int | None
    kind: str
    detail: Mapping[str, object]
    status: str  # open | cleared | disqualified
    decided_by: str | None
    decided_at: datetime | None
    created_at: datetime
    reason: str = ""  # why it was decided so


class ReasonRequired(ValueError):
    """Disqualifying, or reinstating someone disqualified, needs a reason in words."""


MIN_REASON = 5  # characters: "gian lận" at least, not "x"


def needs_reason(before: str, after: str) -> bool:
    """Whether a decision must say why: every disqualification, and every reversal of one."""
    return after == "disqualified" or before == "disqualified"


@dataclass(frozen=True, slots=True)
class Thresholds:
    min_seconds_per_answer: float = 2.0  # nobody reads a question and four options faster
    min_answers: int = 5  # fewer answers say too little about speed or copying
    burst_accounts: int = 5
    burst_window: timedelta = timedelta(minutes=10)


def picks(paper: Sequence[PaperItem], answers: Mapping[int, int]) -> tuple[Pick, ...]:
    """What was chosen for each question: the paper's shown position mapped back to the option itself."""
    return tuple((paper[pos].question_id, paper[pos].order[choice]) for pos, choice in sorted(answers.items())
                 if 0 <= pos < len(paper) and 0 <= choice < len(paper[pos].order))


def answer_sheet(chosen: Iterable[Pick], questions: Mapping[str, Question]) -> str:
    """A digest of the answers as (question, chosen option's text), in question order: papers are drawn
    and shuffled per attempt, so two people with the same answers get the same sheet whatever they saw."""
    pairs = sorted(f"{qid}={squash(questions[qid].options[option]) if qid in questions else option}"
                   for qid, option in chosen)
    return hashlib.sha256("|".join(pairs).encode()).hexdigest()[:32]


def too_fast(traces: Iterable[AttemptTrace], rules: Thresholds = Thresholds()) -> list[Flag]:
    """Attempts whose answers came faster on average than `min_seconds_per_answer`."""
    flags: list[Flag] = []
    for t in traces:
        if t.answered < rules.min_answers:
            continue
        per_answer = (t.last_answer_at - t.started_at).total_seconds() / t.answered
        if per_answer < rules.min_seconds_per_answer:
            flags.append(Flag(FlagKind.TOO_FAST, t.participant_id, t.attempt_id,
                              {"seconds_per_answer": round(per_answer, 2), "answered": t.answered}))
    return flags


def same_answers(traces: Iterable[AttemptTrace], rules: Thresholds = Thresholds()) -> list[Flag]:
    """Participants whose answer sheet is identical to another participant's in the round."""
    groups: dict[str, dict[int, int]] = defaultdict(dict)  # fingerprint -> participant -> first attempt
    for t in traces:
        if t.answered >= rules.min_answers:
            groups[t.fingerprint].setdefault(t.participant_id, t.attempt_id)
    flags: list[Flag] = []
    for members in groups.values():
        if len(members) < 2:
            continue
        for pid, aid in members.items():
            others = sorted(p for p in members if p != pid)
            flags.append(Flag(FlagKind.SAME_ANSWERS, pid, aid, {"others": others[:20], "group": len(members)}))
    return flags


def referral_bursts(registrations: Iterable[Registration], rules: Thresholds = Thresholds()) -> list[Flag]:
    """Accounts registered with one referral code, `burst_accounts` or more within `burst_window`."""
    by_code: dict[str, list[Registration]] = defaultdict(list)
    for r in registrations:
        by_code[r.referral].append(r)
    flags: list[Flag] = []
    for code, regs in by_code.items():
        regs.sort(key=lambda r: (r.registered_at, r.participant_id))
        window: deque[Registration] = deque()
        caught: dict[int, int] = {}  # participant -> largest burst seen around them
        for r in regs:
            window.append(r)
            while r.registered_at - window[0].registered_at > rules.burst_window:
                window.popleft()
            if len(window) >= rules.burst_accounts:
                for w in window:
                    caught[w.participant_id] = max(caught.get(w.participant_id, 0), len(window))
        minutes = int(rules.burst_window.total_seconds() // 60)
        flags += [Flag(FlagKind.REFERRAL_BURST, pid, None, {"referral": code, "accounts": n, "minutes": minutes})
                  for pid, n in sorted(caught.items())]
    return flags


def scan(traces: Sequence[AttemptTrace], registrations: Iterable[Registration],
         rules: Thresholds = Thresholds()) -> list[Flag]:
    """Every flag for one round: one per participant and kind, bursts only among the round's participants."""
    taking_part = {t.participant_id for t in traces}
    found = [*too_fast(traces, rules), *same_answers(traces, rules),
             *(f for f in referral_bursts(registrations, rules) if f.participant_id in taking_part)]
    seen: set[tuple[FlagKind, int]] = set()
    out: list[Flag] = []
    for f in found:
        if (f.kind, f.participant_id) not in seen:
            seen.add((f.kind, f.participant_id))
            out.append(f)
    return out


SUSPECT_SHARE = 0.20  # fewer right than this …
SUSPECT_MIN_ANSWERS = 20  # … among at least this many answers: the answer key is the usual cause


def suspect_key(*, answers: int, correct: int) -> bool:
    """A question almost nobody gets right: organisers should check its answer key."""
    return answers >= SUSPECT_MIN_ANSWERS and correct / answers < SUSPECT_SHARE
