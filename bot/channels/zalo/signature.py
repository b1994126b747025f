"""X-ZEvent-Signature: "mac=" + sha256 hex of app id + raw body + the body's timestamp + the OA secret key."""
from __future__ import annotations

import hashlib
import hmac

HEADER = "X-ZEvent-Signature"


def sign(*, app_id: str, body: bytes, timestamp: str, secret: str) -> str:
    digest = hashlib.sha256(app_id.encode() + body + timestamp.encode() + secret.encode()).hexdigest()
    return f"mac={digest}"


def verify(header: str | None, *, app_id: str, body: bytes, timestamp: str, secret: str) -> bool:
    """True only for the exact signature of this body; compared in constant time."""
    if not header:
        return False
    expected = sign(app_id=app_id, body=body, timestamp=timestamp, secret=secret)
    return hmac.compare_digest(header.strip().lower().encode(), expected.encode())
