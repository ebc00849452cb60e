"""Discovery against fake Windows and Linux trees: installs, channels, backups, overrides."""

from pathlib import Path

import pytest

from starstats_client.app import live_logs
from starstats_client.config import Config
from starstats_client.discovery import (
    Channel,
    Machine,
    WindowsRoot,
    find_channels,
    launcher_install_paths,
    prefix_root,
    source_for,
    wine_prefixes,
)
from starstats_client.errors import DiscoveryError
from starstats_core.wire import LogSource

RSI = Path("Program Files", "Roberts Space Industries", "StarCitizen")


def make_channel(root: Path, name: str, *, backups: int = 2, crashes: int = 1) -> Path:
    channel = root / name
    (channel / "logbackups").mkdir(parents=True)
    (channel / "Game.log").write_text("<2026-05-01T20:00:00.000Z> BackupNameAttachment=...\n")
    for i in range(backups):
        (channel / "logbackups" / f"Game Build(1) 0{i} May 26 (21 50 15).log").write_text("x\n")
    (channel / "logbackups" / "notes.txt").write_text("not a log")
    for i in range(crashes):
        (channel / "Crashes" / f"2026-05-0{i + 1}-10-00-00").mkdir(parents=True)
    return channel


def test_windows_drives_each_contribute_their_channels(tmp_path: Path) -> None:
    c_drive, d_drive = tmp_path / "C", tmp_path / "D"
    make_channel(c_drive / RSI, "LIVE")
    make_channel(c_drive / RSI, "PTU", backups=0, crashes=0)
    make_channel(d_drive / RSI, "TECH-PREVIEW")
    (c_drive / RSI / "Data").mkdir()  # not a channel
    machine = Machine(windows=(WindowsRoot({"C": c_drive, "D": d_drive}),))

    channels = find_channels(machine)

    assert [(c.name, c.path) for c in channels] == [
        ("LIVE", c_drive / RSI / "LIVE"),
        ("PTU", c_drive / RSI / "PTU"),
        ("TECH-PREVIEW", d_drive / RSI / "TECH-PREVIEW"),
    ]
    live = channels[0]
    assert live.game_log == c_drive / RSI / "LIVE" / "Game.log"
    assert [p.name for p in live.backups()] == [
        "Game Build(1) 00 May 26 (21 50 15).log",
        "Game Build(1) 01 May 26 (21 50 15).log",
    ]
    assert [p.name for p in live.crashes()] == ["2026-05-01-10-00-00"]
    assert channels[1].backups() == []
    assert channels[1].crashes() == []
    assert [c.source for c in channels] == [LogSource.LIVE, LogSource.PTU, LogSource.TECH]


def test_older_logs_folder_counts_as_backups_but_not_its_live_log(tmp_path: Path) -> None:
    channel = make_channel(tmp_path, "LIVE", backups=1)
    (channel / "Logs").mkdir()
    (channel / "Logs" / "Game-2023-01-01.log").write_text("x\n")
    (channel / "Logs" / "Game.log").write_text("x\n")
    (channel / "Logs" / "launcher.log").write_text("x\n")

    names = sorted(p.name for p in Channel(channel).backups())

    assert names == ["Game Build(1) 00 May 26 (21 50 15).log", "Game-2023-01-01.log"]


def test_launcher_log_names_a_custom_library(tmp_path: Path) -> None:
    e_drive = tmp_path / "E"
    make_channel(e_drive / "Games" / "StarCitizen", "LIVE")
    make_channel(e_drive / "Games" / "StarCitizen", "EPTU")
    logs = tmp_path / "AppData" / "rsilauncher" / "logs"
    logs.mkdir(parents=True)
    (logs / "log.log").write_text(
        "[2026-05-01] info: [Launcher::launch] Installing Star Citizen LIVE 4.7.0-live.1 at "
        "E:\\Games\\StarCitizen\\LIVE\n"
        '{"msg": "Installing Star Citizen EPTU 4.8 at Q:\\Nowhere\\StarCitizen"}\n'
    )
    machine = Machine(windows=(WindowsRoot({"C": tmp_path / "C", "E": e_drive}, (logs,)),))

    found = [c.path for c in find_channels(machine)]

    root = e_drive / "Games" / "StarCitizen"
    assert found == [root / "EPTU", root / "LIVE"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "Installing Star Citizen LIVE 4.7 at D:\\SC\\StarCitizen\\LIVE",
            ["D:\\SC\\StarCitizen\\LIVE"],
        ),
        ('"Installing Star Citizen PTU at C:\\Games\\StarCitizen")', ["C:\\Games\\StarCitizen"]),
        ("Installing Star Citizen HOTFIX at `D:\\RSI\\StarCitizen`", []),
        ("nothing here", []),
    ],
)
def test_launcher_install_lines_give_their_paths(line: str, expected: list[str]) -> None:
    assert launcher_install_paths(line) == expected


def test_linux_steam_proton_and_lutris_prefixes(tmp_path: Path) -> None:
    home = tmp_path / "home"
    steam = home / ".local/share/Steam/steamapps/compatdata/4242/pfx"
    lutris = home / "Games" / "star-citizen"
    make_channel(steam / "drive_c" / RSI, "LIVE")
    make_channel(lutris / "drive_c" / RSI, "PTU")
    (home / "Games" / "not-wine").mkdir()

    machine = Machine.this_one(home=home)

    assert wine_prefixes(home) == [steam, lutris]
    assert [c.path for c in find_channels(machine)] == [
        steam / "drive_c" / RSI / "LIVE",
        lutris / "drive_c" / RSI / "PTU",
    ]


def test_a_wine_launcher_log_maps_drive_letters_through_dosdevices(tmp_path: Path) -> None:
    prefix = tmp_path / "home" / "Games" / "star-citizen"
    library = tmp_path / "mnt" / "games"
    make_channel(library / "StarCitizen", "LIVE")
    (prefix / "drive_c").mkdir(parents=True)
    (prefix / "dosdevices").mkdir()
    (prefix / "dosdevices" / "c:").symlink_to(prefix / "drive_c")
    (prefix / "dosdevices" / "z:").symlink_to(tmp_path)
    logs = prefix / "drive_c" / "users" / "steamuser" / "AppData" / "Roaming" / "rsilauncher"
    (logs / "logs").mkdir(parents=True)
    (logs / "logs" / "log.log").write_text(
        "Installing Star Citizen LIVE 4.7 at Z:\\mnt\\games\\StarCitizen\\LIVE\n"
    )

    root = prefix_root(prefix)

    assert root.drives["Z"] == prefix / "dosdevices" / "z:"
    assert [c.path.resolve() for c in find_channels(Machine(windows=(root,)))] == [
        (library / "StarCitizen" / "LIVE").resolve()
    ]


def test_config_library_paths_are_searched(tmp_path: Path) -> None:
    make_channel(tmp_path / "lib", "HOTFIX")
    assert [c.name for c in find_channels(Machine(libraries=(tmp_path / "lib",)))] == ["HOTFIX"]


def test_the_same_install_reached_twice_is_listed_once(tmp_path: Path) -> None:
    make_channel(tmp_path / "C" / RSI, "LIVE")
    machine = Machine(
        windows=(WindowsRoot({"C": tmp_path / "C"}),), libraries=(tmp_path / "C" / RSI,)
    )
    assert len(find_channels(machine)) == 1


@pytest.mark.parametrize(
    ("relative", "source"),
    [
        ("LIVE/Game.log", LogSource.LIVE),
        ("LIVE/logbackups/Game Build(1).log", LogSource.LIVE),
        ("PTU/Logs/Game-old.log", LogSource.PTU),
        ("TECH-PREVIEW/Game.log", LogSource.TECH),
        ("archive/EPTU/Game Build(2).log", LogSource.EPTU),
        ("Downloads/Game.log", LogSource.OTHER),
    ],
)
def test_source_follows_the_channel_folder(relative: str, source: LogSource) -> None:
    assert source_for(Path("/x") / relative) is source


def test_gamelog_flag_wins_over_config_and_discovery(tmp_path: Path) -> None:
    channel = make_channel(tmp_path / "C" / RSI, "LIVE")
    machine = Machine(windows=(WindowsRoot({"C": tmp_path / "C"}),))
    flag, configured = tmp_path / "flag" / "Game.log", tmp_path / "conf" / "Game.log"
    flag.parent.mkdir()
    configured.parent.mkdir()
    config = Config(gamelog_path=configured)

    assert live_logs(flag, config, machine) == [flag]
    assert live_logs(None, config, machine) == [configured]
    assert live_logs(None, Config(), machine) == [channel / "Game.log"]


def test_no_install_and_no_override_is_a_discovery_error(tmp_path: Path) -> None:
    with pytest.raises(DiscoveryError, match="--gamelog"):
        live_logs(None, Config(), Machine(windows=(WindowsRoot({"C": tmp_path}),)))
