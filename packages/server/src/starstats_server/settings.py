"""Server settings, read from the environment (names as upstream where it has them).

A bad value stops start-up with one line naming the setting (`SettingsError`); nothing here
touches the disk or network, so settings can be built in tests without side effects.
"""

from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated

from pydantic import (
    AnyHttpUrl,
    BeforeValidator,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from starstats_server.db.engine import async_url
from starstats_server.errors import SettingsError

Network = IPv4Network | IPv6Network


def _networks(value: object) -> object:
    """`STARSTATS_TRUSTED_PROXIES=10.0.0.0/8, 127.0.0.1`: comma-separated addresses or CIDRs."""
    if isinstance(value, str):
        return [ip_network(part.strip(), strict=False) for part in value.split(",") if part.strip()]
    return value


# Environment variable for each field whose name differs from the upstream-compatible one.
_ALIASES = {
    "database_url": "DATABASE_URL",
    "smtp_url": "SMTP_URL",
    "smtp_url_file": "SMTP_URL_FILE",
    "smtp_from_addr": "SMTP_FROM_ADDR",
    "spicedb_endpoint": "SPICEDB_ENDPOINT",
    "spicedb_preshared_key": "SPICEDB_PRESHARED_KEY",
    "spicedb_preshared_key_file": "SPICEDB_PRESHARED_KEY_FILE",
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
    # The same URL read from a file (a mounted secret: it may hold the relay's password).
    smtp_url_file: Path | None = Field(default=None, validation_alias="SMTP_URL_FILE")
    smtp_from_addr: str = Field(
        default="noreply@starstats.local", validation_alias="SMTP_FROM_ADDR"
    )
    web_origin: AnyHttpUrl | None = None
    # Client-IP rate limits (requests per minute) for auth and pairing routes.
    auth_rate_per_minute: int = Field(default=20, ge=1)
    redeem_rate_per_minute: int = Field(default=10, ge=1)
    # Shares granted per player, and public profile reads per client IP, per minute.
    share_rate_per_minute: int = Field(default=20, ge=1)
    public_rate_per_minute: int = Field(default=120, ge=1)
    # Proxies (the web app, a load balancer) whose X-Forwarded-For names the real client: a
    # request from one of them is rate-limited by the address it forwards. Empty by default,
    # so nobody can pick their own address. `trust_forwarded_for` trusts every peer (only
    # for an API nobody can reach except through its proxy).
    trusted_proxies: Annotated[list[Network], NoDecode, BeforeValidator(_networks)] = []
    trust_forwarded_for: bool = False
    # Migrations on `serve` (and on app start-up); tests that migrate once turn it off.
    auto_migrate: bool = True
    # Keep journey facts up to date at ingest (ADR 0009). Off only to measure what they
    # cost (scripts/bench_journey.py): the journey is then stale until `journey rebuild`.
    journey_at_ingest: bool = True
    # The audit log's object-store mirror (docs/audit.md); off while no endpoint is set. Each
    # key may be given as a value or as a file holding it (`_FILE`, e.g. a mounted secret).
    audit_s3_access_key: str | None = None
    audit_s3_access_key_file: Path | None = None
    audit_s3_secret_key: SecretStr | None = None
    audit_s3_secret_key_file: Path | None = None
    audit_s3_region: str = "us-east-1"
    audit_bucket: str = Field(
        default="starstats-audit", pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"
    )
    # Default COMPLIANCE retention the bucket must have: 7 years.
    audit_retention_days: int = Field(default=2555, ge=1, le=36500)
    # Declared after the keys: its validator checks that they were given.
    audit_s3_endpoint: AnyHttpUrl | None = None
    # SpiceDB (docs/authorization.md). Unset: degraded mode, sharing answers 503. The key is
    # given as a value or as a file (a mounted secret), never both.
    spicedb_preshared_key: SecretStr | None = Field(
        default=None, validation_alias="SPICEDB_PRESHARED_KEY"
    )
    spicedb_preshared_key_file: Path | None = Field(
        default=None, validation_alias="SPICEDB_PRESHARED_KEY_FILE"
    )
    # TLS to SpiceDB: on with `spicedb_tls` (system roots) or a CA bundle file.
    spicedb_tls: bool = False
    spicedb_ca_file: Path | None = None
    # Per-call deadline for checks; writes get four times as long.
    spicedb_timeout_ms: int = Field(default=500, ge=10, le=60_000)
    # Write schema.zed at start-up when SpiceDB has none (then load every relationship), and
    # look again every `spicedb_schema_check_seconds` in case SpiceDB loses it.
    spicedb_write_schema: bool = True
    spicedb_schema_check_seconds: float = Field(default=30.0, gt=0, le=3600)
    # Declared after the key fields: its validator checks that exactly one was given.
    spicedb_endpoint: str | None = Field(default=None, validation_alias="SPICEDB_ENDPOINT")

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

    @field_validator("audit_s3_endpoint")
    @classmethod
    def _audit_endpoint(cls, value: AnyHttpUrl | None, info: ValidationInfo) -> AnyHttpUrl | None:
        if value is None:
            return None
        if value.path not in (None, "", "/") or value.query or value.fragment:
            raise ValueError("give the S3 endpoint as scheme://host[:port] only")
        for name in ("access_key", "secret_key"):
            given = [info.data.get(f"audit_s3_{name}"), info.data.get(f"audit_s3_{name}_file")]
            if sum(item is not None for item in given) != 1:
                variable = f"STARSTATS_AUDIT_S3_{name.upper()}"
                raise ValueError(f"needs exactly one of {variable} and {variable}_FILE")
        return value

    @field_validator("spicedb_endpoint")
    @classmethod
    def _spicedb_endpoint(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or value == "":
            return None
        target = value.removeprefix("http://").removeprefix("https://").removeprefix("grpc://")
        host, _, port = target.rpartition(":")
        if not host or not port.isdigit() or "/" in target:
            raise ValueError("give the SpiceDB gRPC endpoint as host:port")
        given = [
            info.data.get("spicedb_preshared_key"),
            info.data.get("spicedb_preshared_key_file"),
        ]
        if sum(item is not None for item in given) != 1:
            raise ValueError("needs exactly one of SPICEDB_PRESHARED_KEY and _FILE")
        return value

    @field_validator("smtp_url")
    @classmethod
    def _smtp_scheme(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("smtp://", "smtps://")):
            raise ValueError("must start with smtp:// or smtps://")
        return value

    @field_validator("smtp_url_file")
    @classmethod
    def _one_smtp_source(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        if value is not None and info.data.get("smtp_url") is not None:
            raise ValueError("give SMTP_URL or SMTP_URL_FILE, not both")
        return value

    @property
    def smtp(self) -> str | None:
        """The SMTP URL from SMTP_URL, else from SMTP_URL_FILE (read now), else None."""
        if self.smtp_url is not None or self.smtp_url_file is None:
            return self.smtp_url
        url = read_secret(None, self.smtp_url_file, "SMTP_URL")
        if not url.startswith(("smtp://", "smtps://")):
            raise SettingsError("invalid setting SMTP_URL_FILE: must hold smtp:// or smtps://")
        return url

    @property
    def spicedb_target(self) -> str | None:
        """SpiceDB's `host:port` (upstream writes it as `http://spicedb:50051`)."""
        if self.spicedb_endpoint is None:
            return None
        return self.spicedb_endpoint.split("://", 1)[-1]

    @property
    def spicedb_key(self) -> str:
        """The preshared key, from the value or (read now) the file."""
        value = self.spicedb_preshared_key
        return read_secret(
            None if value is None else value.get_secret_value(),
            self.spicedb_preshared_key_file,
            "SPICEDB_PRESHARED_KEY",
        )

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


def read_secret(value: str | None, path: Path | None, variable: str) -> str:
    """A secret given as `value`, else read (stripped) from `path` (a `_FILE` setting)."""
    if value is not None:
        return value
    if path is None:
        raise SettingsError(f"missing setting {variable} (or {variable}_FILE)")
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise SettingsError(f"invalid setting {variable}_FILE: cannot read {path}: {exc}") from None


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
