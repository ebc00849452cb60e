"""Settings come from STARSTATS_* variables; a bad one is one line naming the variable."""

import pytest

from starstats_web.errors import SettingsError
from starstats_web.settings import load_settings


def test_defaults_fit_a_local_setup(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("API_URL", "WEB_ORIGIN", "COOKIE_SECURE", "PUBLIC_API_URL", "CSRF_SECRET"):
        monkeypatch.delenv(f"STARSTATS_{name}", raising=False)
    settings = load_settings()
    assert settings.api_base == "http://127.0.0.1:8080"
    assert settings.public_api_base == "http://127.0.0.1:8080"
    assert settings.origin == "http://127.0.0.1:3000"
    assert settings.cookie_secure is True


def test_values_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STARSTATS_API_URL", "http://api.internal:8080/")
    monkeypatch.setenv("STARSTATS_PUBLIC_API_URL", "https://api.stats.example")
    monkeypatch.setenv("STARSTATS_WEB_ORIGIN", "https://stats.example")
    monkeypatch.setenv("STARSTATS_COOKIE_SECURE", "false")
    settings = load_settings()
    assert settings.api_base == "http://api.internal:8080"
    assert settings.public_api_base == "https://api.stats.example"
    assert settings.origin == "https://stats.example"
    assert settings.cookie_secure is False


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WEB_ORIGIN", "https://stats.example/app"),
        ("WEB_ORIGIN", "not a url"),
        ("API_URL", "ftp://x"),
        ("COOKIE_SECURE", "maybe"),
        ("CSRF_SECRET", "too-short"),
    ],
)
def test_a_bad_value_names_its_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(f"STARSTATS_{name}", value)
    with pytest.raises(SettingsError, match=f"STARSTATS_{name}"):
        load_settings()
