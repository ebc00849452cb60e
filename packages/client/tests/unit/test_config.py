"""config.toml: defaults, round trip through the writer, kept unknown keys, bad values."""

import tomllib
from pathlib import Path

import pytest

from starstats_client.config import Config, load_config, save_config, to_toml
from starstats_client.errors import ConfigError


def test_a_missing_file_means_defaults(tmp_path: Path) -> None:
    assert load_config(tmp_path / "config.toml") == Config()


def test_settings_survive_a_round_trip_with_windows_paths(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "config.toml"
    config = Config(
        gamelog_path=Path("D:\\Games\\StarCitizen\\LIVE\\Game.log"),
        library_paths=(Path('E:\\SC "quoted"'), Path("/mnt/games")),
        archive_backups=True,
        extra={"theme": "pyro", "remote_sync": {"api_url": "https://x", "interval_secs": 60}},
    )
    save_config(config, path)
    assert load_config(path) == config
    assert not list(tmp_path.glob("sub/*.tmp"))


@pytest.mark.parametrize(
    "value",
    [
        {"a": "tab\there", "b": "\x00\x7f", "c": "ünï €"},
        {"list": [1, 2.5, True, "x"], "table": {"inner": {"deep": "y"}}},
        {"key with space": "v"},
    ],
)
def test_the_writer_emits_toml_that_reads_back_equal(value: dict[str, object]) -> None:
    assert tomllib.loads(to_toml(value)) == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("archive_backups = 'yes'\n", "archive_backups"),
        ("gamelog_path = 3\n", "gamelog_path"),
        ("library_paths = 'C:/x'\n", "library_paths"),
        ("not toml at all [\n", "cannot read"),
    ],
)
def test_wrong_values_are_config_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(path)
