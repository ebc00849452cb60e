"""Server settings, read from the environment (names as upstream where it has them).

A bad value stops start-up with one line naming the setting (`SettingsError`); nothing here
touches the disk or network, so settings can be built in tests without side effects.
"""

from pathlib import Path

from pydantic import AnyHttpUrl, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from starstats_server.db.engine import async_url
from starstats_server.errors import SettingsError

# Environment variable for each field whose name differs from the upstream-compatible one.
_ALIASES = {
    "database_url": "DATABASE_URL",
    "smtp_url": "SMTP_URL",
    "smtp_from_addr": "SMTP_FROM_ADDR",
}


class Settings(BaseSettings):
    """Everything the server reads at start-up. Field `x` comes from `STARSTATS_X` unless
    `_ALIASES` names another variable (upstream's `DATABASE_URL`, `SMTP_URL`, ...)."""

    model_config = SettingsConfigDict(env_prefix="STARSTATS_", extra="ignore", frozen=True)

    data_dir: Path = Path(".starstats/server")
    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    jwt_key_file: Path | None = None
    jwt_key_autogen: bool = False
    jwt_issuer: str = "http://127.0.0.1:8080"
    jwt_audience: str = "starstats"
    smtp_url: str | None = Field(default=None, validation_alias="SMTP_URL")
    smtp_from_addr: str = Field(
        default="noreply@starstats.local", validation_alias="SMTP_FROM_ADDR"
    )
    web_origin: AnyHttpUrl | None = None
    # Client-IP rate limits (requests per minute) for auth and pairing routes.
    auth_rate_per_minute: int = Field(default=20, ge=1)
    redeem_rate_per_minute: int = Field(default=10, ge=1)
    # Trust X-Forwarded-For from a reverse proxy; off by default so clients cannot spoof it.
    trust_forwarded_for: bool = False
    # Migrations on `serve` (and on app start-up); tests that migrate once turn it off.
    auto_migrate: bool = True

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        scheme = value.split(":", 1)[0]
        # async_url names the driver for every scheme we support, and only for those.
        if async_url(value).split(":", 1)[0] not in ("sqlite+aiosqlite", "postgresql+asyncpg"):
            raise ValueError(f"unsupported scheme {scheme!r}; use sqlite:/// or postgresql://")
        return value

    @field_validator("smtp_url")
    @classmethod
    def _smtp_scheme(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("smtp://", "smtps://")):
            raise ValueError("must start with smtp:// or smtps://")
        return value

    @property
    def key_file(self) -> Path:
        """The JWT signing key file: the setting, else `<data dir>/jwt-key.pem`."""
        return self.jwt_key_file or self.data_dir / "jwt-key.pem"

    @property
    def sqlalchemy_url(self) -> str:
        """The async SQLAlchemy URL: the embedded SQLite file unless DATABASE_URL is set."""
        if self.database_url is None:
            return f"sqlite+aiosqlite:///{self.data_dir / 'starstats.db'}"
        return async_url(self.database_url)

    @property
    def web_link_origin(self) -> str:
        """Where links in emails point: the web app, else the issuer."""
        return str(self.web_origin or self.jwt_issuer).rstrip("/")


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment plus `overrides`, or `SettingsError` naming the bad one."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "settings"
        # An aliased field reports its variable name (DATABASE_URL) as the location.
        if field in _ALIASES.values():
            env = field
        else:
            env = _ALIASES.get(field, f"STARSTATS_{field.upper()}")
        raise SettingsError(f"invalid setting {env}: {first['msg']}") from None
