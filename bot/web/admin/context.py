"""What every dashboard page reaches: the contest application, staff storage, dashboard figures,
and the signed-in staff member."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from aiohttp import web

from bot.compose import App
from bot.storage.staff import ReviewStore, StaffStore
from bot.storage.stats import DashboardStats
from bot.web.admin.passwords import Passwords
from quiz.attempts import local_day

ROLES = ("organiser", "admin")


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
        return ROLES.index(self.role) >= ROLES.index(role)


@dataclass(slots=True)
class Admin:
    """The dashboard's dependencies, built once when the web app is created."""

    application: App
    store: StaffStore
    reviews: ReviewStore
    stats: DashboardStats
    passwords: Passwords

    def now(self) -> datetime:
        return self.application.dispatcher.clock()

    def today(self) -> date:
        return local_day(self.now(), self.application.services.runtime.tz)


ADMIN = web.AppKey("admin", Admin)
STAFF = web.RequestKey("staff", Staff)


def admin(request: web.Request) -> Admin:
    return request.config_dict[ADMIN]


def staff(request: web.Request) -> Staff:
    """The signed-in staff member (set by the auth middleware on every page but the login page)."""
    return request[STAFF]


def build_admin(application: App, passwords: Passwords) -> Admin:
    runtime = application.services.runtime
    slug = runtime.contest.slug
    engine = application.engine
    # Statistics only read: on SQLite they use the reader, so they never hold up answers being written.
    return Admin(application, StaffStore(engine), ReviewStore(engine, contest=slug),
                 DashboardStats(application.reader, contest=slug, tz=runtime.tz), passwords)

