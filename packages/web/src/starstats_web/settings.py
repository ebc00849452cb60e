"""Web app settings, read from the environment (`STARSTATS_*`).

Nothing here touches the disk or the network; the CSRF secret file is read or created by
`csrf.load_secret` at start-up. A bad value stops start-up with one line naming the variable.
"""

from pathlib import Path

from pydantic import AnyHttpUrl, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from starstats_web.errors import SettingsError


class WebSettings(BaseSettings):
    """Field `x` comes from `STARSTATS_X`."""

    model_config = SettingsConfigDict(env_prefix="STARSTATS_", extra="ignore", frozen=True)

    # Where this server reaches the API (may be an internal address).
    api_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8080")
    # The API as the desktop client reaches it, shown in the pairing command; `api_url`
    # when unset (they differ when the web server talks to the API over a private network).
    public_api_url: AnyHttpUrl | None = None
    # This site's own origin (scheme://host[:port]): form posts must come from it.
    web_origin: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:3000")
    # False only for local development over plain http: browsers drop Secure cookies there.
    cookie_secure: bool = True
    # Signs CSRF tokens; when unset, a random one is kept in `<web_data_dir>/csrf-secret`
    # (0600) so tokens in open tabs survive a restart.
    csrf_secret: SecretStr | None = None
    web_data_dir: Path = Path(".starstats/web")
    # Seconds to wait for the API before showing "the StarStats API is unreachable".
    api_timeout: float = Field(default=10.0, gt=0, le=120)

    @field_validator("web_origin")
    @classmethod
    def _bare_origin(cls, value: AnyHttpUrl) -> AnyHttpUrl:
        if value.path not in (None, "", "/") or value.query or value.fragment:
            raise ValueError("must be an origin: scheme://host[:port], without a path")
        return value

    @field_validator("csrf_secret")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError("must be at least 32 characters")
        return value

    @property
    def api_base(self) -> str:
        return str(self.api_url).rstrip("/")

    @property
    def public_api_base(self) -> str:
        return str(self.public_api_url or self.api_url).rstrip("/")

    @property
    def origin(self) -> str:
        """`web_origin` as browsers send it in `Origin` (no trailing slash)."""
        return str(self.web_origin).rstrip("/")


def load_settings(**overrides: object) -> WebSettings:
    """Settings from the environment plus `overrides`, or `SettingsError` naming the bad one."""
    try:
        return WebSettings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "settings"
        raise SettingsError(f"invalid setting STARSTATS_{field.upper()}: {first['msg']}") from None
