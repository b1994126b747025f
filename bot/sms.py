"""One-time codes by SMS through an HTTP gateway: the PhoneVerifier of quiz.ports.

The gateway is any plain HTTP API taking a JSON POST; Vietnamese brandname providers (the carriers'
resellers: eSMS, SpeedSMS, VNPT, Viettel…) all offer one. Point SMS_GATEWAY_URL at it, put the key in
SMS_GATEWAY_KEY, the registered brandname in SMS_SENDER and the registered template in SMS_TEMPLATE
(providers send only templates they approved). Where a provider wants other field names, a small relay
on 127.0.0.1 that renames them is the whole adapter.

    POST {SMS_GATEWAY_URL}
    Authorization: Bearer {SMS_GATEWAY_KEY}
    {"to": "84912345678", "from": "CONGDANSO", "text": "Ma xac minh … 123456 …", "ref": "<random id>"}

Any 2xx answer is sent; anything else (or no answer within 10 s) is VerifierUnavailable, and the
citizen is told to try again later. Numbers and texts never go to the log."""
from __future__ import annotations

import logging
import secrets

import httpx

from quiz.ports import VerifierUnavailable

log = logging.getLogger(__name__)
TIMEOUT = httpx.Timeout(10.0)


def international(phone: str) -> str:
    """0912345678 → 84912345678: how gateways want Vietnamese numbers."""
    return "84" + phone[1:] if phone.startswith("0") else phone


class HttpSmsGateway:
    def __init__(self, *, url: str, key: str | None, sender: str, template: str,
                 client: httpx.AsyncClient | None = None) -> None:
        self._url, self._key, self._sender, self._template = url, key, sender, template
        self._client = client or httpx.AsyncClient(timeout=TIMEOUT)

    async def send_code(self, *, phone: str, code: str, minutes: int) -> None:
        ref = secrets.token_hex(8)
        headers = {"Authorization": f"Bearer {self._key}"} if self._key else {}
        body = {"to": international(phone), "from": self._sender, "text": self._template.format(code=code,
                                                                                               minutes=minutes),
                "ref": ref}
        try:
            response = await self._client.post(self._url, json=body, headers=headers)
        except httpx.HTTPError as exc:
            log.warning("sms gateway unreachable (ref %s): %s", ref, type(exc).__name__)
            raise VerifierUnavailable() from None
        if not response.is_success:
            log.warning("sms gateway refused (ref %s): HTTP %d", ref, response.status_code)
            raise VerifierUnavailable()

    async def close(self) -> None:
        await self._client.aclose()
