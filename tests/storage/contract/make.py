"""What the contract tests store, each in a committed unit of work of its own."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from quiz.attempts import Attempt, NewAttempt, PaperItem
from quiz.people import Account
from quiz.ports import UowFactory
from quiz.staff import StaffUser

T0 = datetime(2024, 6, 20, 1, 30, tzinfo=UTC)  # 08:30 in Hà Giang


def paper(size: int = 10) -> tuple[PaperItem, ...]:
    """Questions q-001… of the fixture set "bo-thu", options shown in a different order every other one."""
    return tuple(PaperItem(f"q-{n:03d}", (2, 0, 3, 1) if n % 2 else (0, 1, 2, 3)) for n in range(1, size + 1))


def new_attempt(participant_id: int, *, round_code: str = "chinh", seq: int = 1, at: datetime = T0,
                minutes: float = 10, practice: bool = False) -> NewAttempt:
    return NewAttempt(participant_id, round_code, "bo-thu", 1, paper(), at, at + timedelta(minutes=minutes),
                      practice, seq, at.date())


async def person(uow: UowFactory, phone: str = "0912345678", *, unit: str = "T-A-1",
                 referral: str | None = None) -> int:
    async with uow() as w:
        made = await w.participants.add(full_name="Nguyễn Văn An", birth_year=1990, phone=phone, unit_code=unit,
                                        referral=referral, now=T0, phone_key=f"key-{phone}")
        await w.commit()
    return made.id


async def account(uow: UowFactory, channel: str = "telegram", external_id: str = "1001") -> Account:
    async with uow() as w:
        made = await w.accounts.get_or_create(channel=channel, external_id=external_id, locale="vi", now=T0)
        await w.commit()
    return made


async def started(uow: UowFactory, participant_id: int, **kw: object) -> Attempt:
    async with uow() as w:
        made = await w.attempts.add(new_attempt(participant_id, **kw))  # type: ignore[arg-type]
        await w.commit()
    return made


async def staff_user(uow: UowFactory, username: str = "btc.an") -> StaffUser:
    async with uow() as w:
        made = await w.staff.add_user(username=username, password_hash="plain:x", role="organiser", now=T0)
        await w.commit()
    return made
