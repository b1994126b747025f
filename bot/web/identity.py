"""Who a browser is: a random id in a cookie, signed with HMAC so nobody can borrow another's."""
from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path

from bot.config import ROOT, Settings

log = logging.getLogger(__name__)

COOKIE = "cds_browser"
MAX_AGE = 365 * 24 * 3600
SECRET_FILE = ROOT / "data" / "web_secret"


def web_secret(settings: Settings, *, path: Path = SECRET_FILE) -> str:
    """The configured secret, or one generated once into `path` and reused on every start."""
    if settings.web_secret:
        return settings.web_secret
    if path.is_file():
        stored = path.read_text(encoding="ascii").strip()
        if stored:
            return stored
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(secret + "\n")
    log.info("generated a web secret into %s", path)
    return secret


class BrowserIds:
    """Issues and checks signed browser ids (`<id>.<signature>`)."""

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(b"cds-browser-id:" + secret.encode()).digest()

    def _sign(self, browser_id: str) -> str:
        mac = hmac.new(self._key, browser_id.encode("ascii"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).decode("ascii").rstrip("=")

    def issue(self) -> tuple[str, str]:
        """A new browser id and the cookie value that carries it."""
        browser_id = secrets.token_urlsafe(18)
        return browser_id, f"{browser_id}.{self._sign(browser_id)}"

    def verify(self, cookie: str | None) -> str | None:
        """The browser id in a genuine cookie; None for a missing, malformed or forged one."""
        if not cookie or len(cookie) > 128 or not cookie.isascii():
            return None
        browser_id, _, signature = cookie.partition(".")
        if not browser_id or not hmac.compare_digest(signature, self._sign(browser_id)):
            return None
        return browser_id
