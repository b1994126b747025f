"""Typed settings, read once in the composition root (environment or .env)."""
from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(default=f"sqlite+aiosqlite:///{ROOT / 'data' / 'congdanso.sqlite'}")
    redis_url: str | None = None
    contest_pack: Path = ROOT / "content" / "sample"
    contest: str | None = None  # slug of the contest to serve; default: the pack's
    locales_dir: Path = ROOT / "locales"
    log_level: str = "INFO"
