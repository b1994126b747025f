"""Proving a phone number with a one-time code sent by SMS (quiz.verification has the rules)."""
from __future__ import annotations

from datetime import datetime

from quiz.identity import PhoneKeys
from quiz.ports import PhoneVerifier, UowFactory, VerifierUnavailable
from quiz.verification import (
    ADDRESS_WINDOW,
    CODE_TTL,
    NUMBER_WINDOW,
    Check,
    Purpose,
    SendRefused,
    check,
    code_hash,
    may_send,
    new_code,
)


class PhoneCodes:
    def __init__(self, *, uow: UowFactory, read: UowFactory, keys: PhoneKeys,
                 verifier: PhoneVerifier | None) -> None:
        self._uow, self._read, self._keys, self._verifier = uow, read, keys, verifier

    @property
    def configured(self) -> bool:
        """Whether codes can be sent at all (an SMS gateway is configured)."""
        return self._verifier is not None

    async def send(self, *, phone: str, purpose: Purpose, address: str, now: datetime) -> None:
        """Send a new code to `phone`, asked for from `address` (a browser's address or a chat account);
        SendRefused when the limits say no or the gateway fails (then nothing counts against them)."""
        if self._verifier is None:
            raise SendRefused("unavailable")
        key, code = self._keys(phone), new_code()
        async with self._uow() as uow:
            to_number = await uow.phone_codes.sent_times(since=now - NUMBER_WINDOW, phone_key=key)
            from_address = await uow.phone_codes.sent_times(since=now - ADDRESS_WINDOW, address=address)
            may_send(to_number, from_address, now)
            await uow.phone_codes.add(phone_key=key, purpose=purpose.value, code_hash=code_hash(code, key),
                                      address=address, now=now, expires_at=now + CODE_TTL)
            try:
                await self._verifier.send_code(phone=phone, code=code, minutes=int(CODE_TTL.total_seconds() // 60))
            except VerifierUnavailable:
                raise SendRefused("unavailable") from None  # rolled back: the failed try is not counted
            await uow.commit()

    async def confirm(self, *, phone: str, purpose: Purpose, typed: str, now: datetime) -> Check:
        """Compare a typed code with the latest sent to `phone` for `purpose`; OK uses it up."""
        key = self._keys(phone)
        async with self._uow() as uow:
            sent = await uow.phone_codes.latest(phone_key=key, purpose=purpose.value)
            verdict = check(sent, typed, now)
            if sent is not None and verdict in (Check.WRONG, Check.USED_UP) and sent.checks < 1_000:
                await uow.phone_codes.count_check(sent.id)
            if verdict is Check.OK and sent is not None and not await uow.phone_codes.use(code_id=sent.id, now=now):
                verdict = Check.NONE  # typed in two places at once: the other one used it
            await uow.commit()
        return verdict
