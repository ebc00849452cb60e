"""Finding Star Citizen installs, their channels and their logs on this machine.

Roots are values (`Machine`, `WindowsRoot`), so the path logic runs against fake trees in
tests: a Windows install is found under each drive's `Program Files\\Roberts Space
Industries\\StarCitizen`, under custom library folders named in the RSI Launcher's log, and
inside Wine/Proton prefixes (Steam compatdata, Lutris `~/Games/*`, `~/.wine`) on Linux.
"""

import os
import re
import string
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath

from starstats_core.wire import LogSource

CHANNELS = ("LIVE", "PTU", "EPTU", "HOTFIX", "TECH-PREVIEW", "TECHPREVIEW")
_CHANNEL_KEYS = frozenset(c.casefold() for c in CHANNELS)
BACKUP_DIRS = frozenset({"logbackups", "logs"})  # casefolded; `Logs/` is the older name
LIVE_LOG = "Game.log"
_INSTALL = ("Program Files", "Roberts Space Industries", "StarCitizen")
# `Installing Star Citizen LIVE 4.1.1-live.9650658 at D:\Games\StarCitizen\LIVE` (the
# regex community tools use; the path runs to a backtick, quote or bracket).
_LAUNCHER_INSTALL = re.compile(r"Installing Star Citizen (.*?) at ([^`\")\r\n]+)")
_LAUNCHER_LOG_DIRS = (("AppData", "Roaming"), ("AppData", "Local"))


@dataclass(frozen=True, slots=True)
class WindowsRoot:
    """One Windows file system: the real one, or a Wine/Proton prefix seen from Linux.
    `drives` maps a drive letter to the folder that is its root."""

    drives: Mapping[str, Path]
    launcher_logs: tuple[Path, ...] = ()

    def native(self, windows_path: str) -> Path | None:
        """Where `D:\\Games\\StarCitizen` lives on this machine (None: unknown drive)."""
        pure = PureWindowsPath(windows_path.strip())
        drive = pure.drive.rstrip(":").upper()
        if len(drive) != 1 or drive not in self.drives:
            return None
        return self.drives[drive].joinpath(*pure.parts[1:])


@dataclass(frozen=True, slots=True)
class Machine:
    """Everywhere we look for installs: Windows roots plus library folders from config."""

    windows: tuple[WindowsRoot, ...] = ()
    libraries: tuple[Path, ...] = ()

    @classmethod
    def this_one(
        cls,
        libraries: Iterable[Path] = (),
        env: Mapping[str, str] = os.environ,
        home: Path | None = None,
    ) -> "Machine":
        """The real machine: drives and %APPDATA% on Windows, Wine prefixes under $HOME."""
        if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
            drives = {d: Path(f"{d}:\\") for d in string.ascii_uppercase}
            logs = [Path(env[k]) / "rsilauncher" / "logs" for k in ("APPDATA", "LOCALAPPDATA")]
            root = WindowsRoot({d: p for d, p in drives.items() if p.exists()}, tuple(logs))
            return cls((root,), tuple(libraries))
        prefixes = wine_prefixes(home if home is not None else Path.home())
        return cls(tuple(prefix_root(p) for p in prefixes), tuple(libraries))


@dataclass(frozen=True, slots=True)
class Channel:
    """One channel folder of an install (`.../StarCitizen/LIVE`) and its logs."""

    path: Path
    name: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", self.path.name)

    @property
    def source(self) -> LogSource:
        return LogSource.from_channel(self.name)

    @property
    def game_log(self) -> Path:
        return self.path / LIVE_LOG

    def backup_dirs(self) -> list[Path]:
        return _children(self.path, lambda p: p.is_dir() and p.name.casefold() in BACKUP_DIRS)

    def backups(self) -> list[Path]:
        """Rotated logs of earlier launches (`logbackups/`, older `Logs/`), by name."""
        return sorted(f for d in self.backup_dirs() for f in backup_logs(d))

    def crashes(self) -> list[Path]:
        """Crash report folders (`Crashes/<YYYY-MM-DD-HH-MM-SS>/`), oldest first."""
        crashes = self.path / "Crashes"
        return sorted(_children(crashes, Path.is_dir)) if crashes.is_dir() else []


def backup_logs(folder: Path) -> list[Path]:
    """`Game*.log` files of a backup folder, other than a live `Game.log`."""
    return _children(
        folder,
        lambda p: (
            p.is_file()
            and p.name.casefold().startswith("game")
            and p.name.casefold().endswith(".log")
            and p.name.casefold() != LIVE_LOG.casefold()
        ),
    )


def find_channels(machine: Machine) -> list[Channel]:
    """Every channel folder of every install found, each once, in a stable order."""
    seen: dict[Path, Channel] = {}
    for root in install_roots(machine):
        for child in sorted(_children(root, Path.is_dir)):
            if child.name.casefold() in _CHANNEL_KEYS or (child / LIVE_LOG).is_file():
                seen.setdefault(_identity(child), Channel(child))
    return list(seen.values())


def install_roots(machine: Machine) -> list[Path]:
    """Existing install folders (the ones holding LIVE/, PTU/...)."""
    candidates: list[Path] = list(machine.libraries)
    for windows in machine.windows:
        candidates.extend(drive.joinpath(*_INSTALL) for drive in windows.drives.values())
        for folder in windows.launcher_logs:
            for log in sorted(_children(folder, lambda p: p.suffix.casefold() == ".log")):
                candidates.extend(_launcher_roots(log, windows))
    roots: dict[Path, Path] = {}
    for path in candidates:
        if path.is_dir():
            roots.setdefault(_identity(path), path)
    return list(roots.values())


def launcher_install_paths(text: str) -> list[str]:
    """Windows paths named by `Installing Star Citizen <channel> at <path>` lines."""
    return [m[2].strip().rstrip(".,;'") for m in _LAUNCHER_INSTALL.finditer(text)]


def _launcher_roots(log: Path, windows: WindowsRoot) -> list[Path]:
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []  # a launcher log we cannot read hides nothing we could not find otherwise
    roots = []
    for windows_path in launcher_install_paths(text):
        path = windows.native(windows_path)
        if path is None:
            continue
        # The path names the channel folder or the install folder; accept either.
        roots.append(path.parent if path.name.casefold() in _CHANNEL_KEYS else path)
    return roots


def wine_prefixes(home: Path) -> list[Path]:
    """Wine/Proton prefixes that may hold the game: Steam compatdata, Lutris, ~/.wine."""
    found: list[Path] = []
    for steam in (home / ".steam" / "steam", home / ".local" / "share" / "Steam"):
        compat = steam / "steamapps" / "compatdata"
        found.extend(sorted(p / "pfx" for p in _children(compat, Path.is_dir)))
    found.extend(sorted(_children(home / "Games", Path.is_dir)))
    found.append(home / ".wine")
    return [p for p in found if (p / "drive_c").is_dir()]


def prefix_root(prefix: Path) -> WindowsRoot:
    """The Windows file system of a Wine prefix: C: is drive_c, other letters come from
    dosdevices/ (Lutris and Proton map Z: to /), and launcher logs under each user."""
    drives: dict[str, Path] = {"C": prefix / "drive_c"}
    for device in _children(prefix / "dosdevices", lambda p: len(p.name) == 2):
        letter = device.name[0].upper()
        if device.name[1] == ":" and letter in string.ascii_uppercase and letter != "C":
            drives[letter] = device
    logs = [
        user.joinpath(*parts, "rsilauncher", "logs")
        for user in sorted(_children(prefix / "drive_c" / "users", Path.is_dir))
        for parts in _LAUNCHER_LOG_DIRS
    ]
    return WindowsRoot(drives, tuple(logs))


def source_for(path: Path) -> LogSource:
    """The channel a log file belongs to: its folder's name, or the one above a backup
    folder (`LIVE/logbackups/x.log` is LIVE, so a backup keys like the live file did)."""
    folder = path.parent
    if folder.name.casefold() in BACKUP_DIRS:
        folder = folder.parent
    return LogSource.from_channel(folder.name)


def _children(folder: Path, keep: Callable[[Path], bool]) -> list[Path]:
    try:
        return [p for p in folder.iterdir() if keep(p)]
    except OSError:  # missing, not a folder, or no permission: nothing to find there
        return []


def _identity(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path
