"""Use cases: each opens a unit of work, applies contest rules, commits, returns facts.

`compose` builds them once over storage's ports; adapters receive the ones they call."""
from __future__ import annotations

import random
from dataclasses import dataclass

from quiz.boards_memory import MemoryBoards
from quiz.identity import PhoneKeys
from quiz.ports import AnswerLog, AttemptDraws, AttemptEnds, Boards, ChatTraces, PhoneVerifier, UowFactory
from quiz.retention import DEFAULT, Periods
from quiz.runtime import ContestRuntime
from quiz.services.audit import AuditTrail
from quiz.services.broadcasts import Broadcasts
from quiz.services.figures import Figures
from quiz.services.housekeeping import Housekeeping
from quiz.services.imports import Imports
from quiz.services.integrity import Integrity
from quiz.services.live import LiveContest, RuntimeSource
from quiz.services.people import People
from quiz.services.phone_codes import PhoneCodes
from quiz.services.playing import AnswerOutcome, Play, Result
from quiz.services.reload import ContestReload
from quiz.services.reports import Reports
from quiz.services.rounds import RoundAdmin
from quiz.services.staff import PasswordHasher, StaffAccounts
from quiz.services.standings import Standings


@dataclass(frozen=True, slots=True)
class UseCases:
    """Every use case of one contest, composed over one unit-of-work factory."""

    live: LiveContest
    standings: Standings
    people: People
    play: Play
    rounds: RoundAdmin
    imports: Imports
    integrity: Integrity
    broadcasts: Broadcasts
    reports: Reports
    figures: Figures
    staff: StaffAccounts
    audit: AuditTrail
    phone_codes: PhoneCodes
    housekeeping: Housekeeping
    reload: ContestReload


def compose(*, runtime: ContestRuntime, source: RuntimeSource, uow: UowFactory, hasher: PasswordHasher,
            phone_keys: PhoneKeys, verifier: PhoneVerifier | None = None, periods: Periods = DEFAULT,
            read: UowFactory | None = None, answers: AnswerLog | None = None, draws: AttemptDraws | None = None,
            ends: AttemptEnds | None = None,
            rng: random.Random | None = None, boards: Boards | None = None,
            traces: ChatTraces | None = None) -> UseCases:
    """The use cases over `uow` (writes) and `read` (reads that never hold up writers; `uow` if None), with
    the live boards in `boards` (shared by every worker in Redis; in this process if None)."""
    read = read or uow
    live = LiveContest(runtime, source=source, read=read)
    standings = Standings(live=live, uow=uow, read=read, boards=boards or MemoryBoards())
    play = Play(live=live, uow=uow, read=read, standings=standings, answers=answers, draws=draws, ends=ends, rng=rng)
    rounds = RoundAdmin(live=live, uow=uow, read=read, standings=standings)
    imports = Imports(live=live, uow=uow, read=read, standings=standings, play=play)
    return UseCases(
        live=live, standings=standings,
        people=People(live=live, uow=uow, read=read, standings=standings, phone_keys=phone_keys, traces=traces),
        play=play, rounds=rounds, imports=imports,
        integrity=Integrity(live=live, uow=uow, read=read, standings=standings),
        broadcasts=Broadcasts(uow=uow, read=read),
        reports=Reports(live=live, read=read, standings=standings),
        figures=Figures(live=live, read=read, standings=standings),
        staff=StaffAccounts(uow=uow, read=read, hasher=hasher),
        audit=AuditTrail(uow=uow, read=read),
        phone_codes=PhoneCodes(uow=uow, read=read, keys=phone_keys, verifier=verifier),
        housekeeping=Housekeeping(live=live, uow=uow, standings=standings, periods=periods, traces=traces),
        reload=ContestReload(live=live, uow=uow, imports=imports, rounds=rounds))


__all__ = ["AnswerOutcome", "AuditTrail", "Broadcasts", "ContestReload", "Figures", "Housekeeping", "Imports",
           "Integrity", "LiveContest", "PasswordHasher", "People", "PhoneCodes", "Play", "Reports", "Result",
           "RoundAdmin", "RuntimeSource", "StaffAccounts", "Standings", "UseCases", "compose"]
