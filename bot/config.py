"""Typed settings, read once in the composition root (environment or .env)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.storage.engine import POOL_SIZE

ROOT = Path(__file__).resolve().parent.parent
MINI_APP_PATH = "/telegram/app"  # the web chat's page as a Telegram Mini App (bot.web.mini_app)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # storage
    database_url: str = Field(default=f"sqlite+aiosqlite:///{ROOT / 'data' / 'congdanso.sqlite'}")
    # PostgreSQL connections each worker keeps open (none opened beyond them): the server's max_connections
    # must cover this × workers + 10 for the CLI and the operators' own sessions
    database_pool_size: int = Field(default=POOL_SIZE, ge=1, le=1000)
    redis_url: str | None = None
    # content
    contest_pack: Path = ROOT / "content" / "sample"
    contest: str | None = None  # slug of the contest to serve; default: the pack's
    locales_dir: Path = ROOT / "locales"
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"  # json: one object per line (bot.logs), for a log shipper
    # web app (web chat, webhooks, dashboard)
    web_host: str = "127.0.0.1"
    web_port: int = 8080
    web_new_chats_per_address: int = Field(default=200, ge=1)  # new web-chat identities per address … (README)
    web_new_chats_window_s: int = Field(default=600, ge=1)  # … in this many seconds
    # requests one keep-alive connection serves (about: drawn per connection) before it is closed, so that
    # with several workers new connections spread over all of them (bot.web.spread)
    web_keepalive_requests: int = Field(default=100, ge=1)
    # the reverse proxies in front of the web app (addresses or networks, comma-separated): only the
    # X-Forwarded-For hop they appended is the client, and their X-Forwarded-Proto says HTTPS
    web_trust_forwarded: str = ""
    web_secret: str | None = None  # signs cookies; generated into data/ when unset
    # the web app's public HTTPS address (behind the proxy); with Telegram on, "📝 Thi ngay" also opens the
    # attempt there as a Telegram Mini App
    web_public_url: str | None = None
    # Telegram
    telegram_bot_token: str | None = None
    telegram_webhook_url: str | None = None  # set → webhook mode, else long polling
    telegram_webhook_secret: str | None = None  # required with a webhook
    telegram_api_base: str | None = None  # a self-hosted Bot API server, e.g. http://127.0.0.1:8081
    # an update whose worker has not renewed its claim for this long (it died) is finished by another worker,
    # which looks for such updates every TELEGRAM_SWEEP_S seconds
    telegram_lease_s: float = Field(default=30.0, ge=0.5, le=3600)
    telegram_sweep_s: float = Field(default=10.0, ge=0.1, le=3600)
    # how many updates Telegram may post to one webhook at once; beyond the database pool (DATABASE_POOL_SIZE) they wait
    telegram_max_connections: int = Field(default=40, ge=1, le=100)
    # how long a webhook call waits for its update's handling, to answer a button press in its 200; past it
    # (or at once when the worker is busy) the 200 goes back, the update stored, and the press is answered
    # when handled
    telegram_ack_within_s: float = Field(default=0.01, ge=0, le=10)
    # `dcbot run` (any number of workers) starts a process of its own that takes Telegram's webhook calls on this
    # port (the proxy sends /telegram/webhook here): it stores each update, answers, and passes it to a worker
    telegram_intake_port: int | None = Field(default=None, ge=1, le=65535)
    # broadcasts only (replies are never held to it): messages per second to different chats, shared by all
    # workers; with paid broadcasts on (Telegram Stars, for bots Telegram allows), up to 1000/s, beyond 30/s paid
    telegram_broadcast_per_second: float = Field(default=30.0, gt=0, le=1000)
    telegram_paid_broadcasts: bool = False
    telegram_admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    # how long one opening of the Mini App may act for its citizen (Telegram's initData auth_date): an
    # attempt (30 minutes at most) and some reading; then the citizen opens it again from the chat
    telegram_mini_app_max_age_s: int = Field(default=3600, ge=60, le=86_400)
    organiser_chat_id: int | None = None
    # the organisers' daily report, at this time of day in Asia/Ho_Chi_Minh (the contest's time zone)
    report_hour: int = Field(default=11, ge=0, le=23)
    report_minute: int = Field(default=0, ge=0, le=59)
    # Zalo Official Account (the webhook runs when ZALO_APP_ID is set)
    zalo_app_id: str | None = None  # the app's id in the Zalo developer console (kept as a string)
    zalo_oa_secret_key: str | None = None  # "OA Secret Key": verifies each webhook's X-ZEvent-Signature
    zalo_app_secret: str | None = None  # the app's secret key: refreshes the OA access token
    zalo_refresh_token: str | None = None  # first refresh token only; later pairs live in channel_tokens
    zalo_api_base: str = "https://openapi.zalo.me"
    zalo_oauth_base: str = "https://oauth.zaloapp.com"
    zalo_info_image_url: str | None = None  # picture on the "share your phone number" card
    # a signed event older (or newer) than this is refused: a replay outlives the days its id is kept
    zalo_event_max_age_s: int = Field(default=86_400, ge=60)
    # an SMS gateway for one-time codes (bot.sms): with it the web chat verifies numbers, a citizen
    # recovers a registration in a new browser, and a guardian confirms consent from their own phone
    sms_gateway_url: str | None = None  # e.g. https://sms.example.vn/api/send (plain HTTP API, JSON POST)
    sms_gateway_key: str | None = None  # sent as "Authorization: Bearer …"
    sms_sender: str = "CONGDANSO"  # the registered brandname the texts come from
    # the text as registered with the brandname provider; {code} and {minutes} are filled in
    sms_template: str = "Ma xac minh Cong Dan So cua ban la {code}. Ma co hieu luc {minutes} phut."
    # how long what citizens leave behind is kept (quiz.retention); the contest's pack sets how long
    # personal data stays after its last round (data_kept_days)
    retention_processed_events_days: int = Field(default=7, ge=1)
    retention_idle_accounts_days: int = Field(default=180, ge=1)

    @field_validator("database_url")
    @classmethod
    def _database(cls, value: str) -> str:
        from bot.storage.engine import check_url
        check_url(value)
        return value

    @field_validator("web_trust_forwarded")
    @classmethod
    def _proxies(cls, value: str) -> str:
        from bot.web.proxy import trusted_networks
        trusted_networks(value)  # refuse a setting that names no address
        return value

    @field_validator("web_public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith("https://") or any(c in value for c in "?# ") or len(value) > 200:
            raise ValueError("WEB_PUBLIC_URL must be the site's https:// address, without ? or # "
                             "(Telegram opens Mini Apps over HTTPS only)")
        return value.rstrip("/")

    @property
    def mini_app_url(self) -> str | None:
        """Where Telegram opens the attempt as a Mini App; None keeps "📝 Thi ngay" in the chat only."""
        if not (self.web_public_url and self.telegram_bot_token):
            return None
        return self.web_public_url + MINI_APP_PATH

    @field_validator("telegram_admin_ids", mode="before")
    @classmethod
    def _ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(x) for x in value.replace(";", ",").split(",") if x.strip()]
        return value
