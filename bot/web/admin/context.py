"""What every dashboard page reaches, each use case by its typed key on the web app, and the
signed-in staff member."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.broadcasts.runner import Broadcaster
from bot.i18n import Translator
from bot.web.keys import (
    AUDIT,
    BROADCASTER,
    BROADCASTS,
    CLOCK,
    FIGURES,
    IMPORTS,
    INTEGRITY,
    LIVE,
    ROUNDS,
    SETTINGS,
    STAFF,
    STANDINGS,
    TRANSLATOR,
)
from bot.web.proxy import came_over_https, client_address
from quiz.attempts import local_day
from quiz.audit import Actor
from quiz.runtime import ContestRuntime
from quiz.services import AuditTrail, Broadcasts, Figures, Imports, Integrity, RoundAdmin, StaffAccounts, Standings
from quiz.staff import may


@dataclass(frozen=True, slots=True)
class Staff:
    """The staff member behind a request, with the CSRF token of their session."""

    user_id: int
    username: str
    role: str  # organiser | admin
    csrf_token: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def may(self, role: str) -> bool:
        """Whether this member holds `role` or a stronger one."""
        return may(self.role, role)


class Admin:
    """A page's view of the web app: the use cases by their keys, the contest's clock and time zone."""

    __slots__ = ("_keys",)

    def __init__(self, request: web.Request) -> None:
        self._keys = request.config_dict

    @property
    def standings(self) -> Standings:
        return self._keys[STANDINGS]

    @property
    def figures(self) -> Figures:
        return self._keys[FIGURES]

    @property
    def rounds(self) -> RoundAdmin:
        return self._keys[ROUNDS]

    @property
    def imports(self) -> Imports:
        return self._keys[IMPORTS]

    @property
    def integrity(self) -> Integrity:
        return self._keys[INTEGRITY]

    @property
    def broadcasts(self) -> Broadcasts:
        return self._keys[BROADCASTS]

    @property
    def broadcaster(self) -> Broadcaster:
        return self._keys[BROADCASTER]

    @property
    def staff(self) -> StaffAccounts:
        return self._keys[STAFF]

    @property
    def audit(self) -> AuditTrail:
        return self._keys[AUDIT]

    @property
    def translator(self) -> Translator:
        return self._keys[TRANSLATOR]

    @property
    def runtime(self) -> ContestRuntime:
        return self._keys[LIVE].runtime

    @property
    def tz(self) -> ZoneInfo:
        return self.runtime.tz

    def now(self) -> datetime:
        return self._keys[CLOCK]()

    def today(self) -> date:
        return local_day(self.now(), self.tz)


STAFF_KEY = web.RequestKey("staff", Staff)


def admin(request: web.Request) -> Admin:
    return Admin(request)


def staff(request: web.Request) -> Staff:
    """The signed-in staff member (set by the auth middleware on every page but the login page)."""
    return request[STAFF_KEY]


def address(request: web.Request) -> str:
    """The browser's address, believing only the trusted proxies (bot.web.proxy)."""
    return client_address(request, request.config_dict[SETTINGS].web_trust_forwarded)


def https(request: web.Request) -> bool:
    """Whether the browser reached us over HTTPS (directly or through a trusted proxy): cookies go Secure."""
    return came_over_https(request, request.config_dict[SETTINGS].web_trust_forwarded)


def actor(request: web.Request) -> Actor:
    """The signed-in staff member as the audit log records them: username and address."""
    return Actor.staff(staff(request).username, address(request))
