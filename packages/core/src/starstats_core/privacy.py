"""PII scrubbing for anything that leaves the player's machine or is shown as a sample.

Game.log carries the Windows account name (profile paths, `username X signedIn`), the
machine's host name and LAN addresses. None of them is needed for statistics.
"""

import re

_WIN_PROFILE = re.compile(
    r"(?i)\b([A-Z]:[\\/]+(?:Users|Documents and Settings)[\\/]+)([^\\/\s\"']+)"
)
_UNIX_HOME = re.compile(r"(/home/|/Users/)([^/\s\"']+)")
_USERNAME = re.compile(r"\busername (\S+)")
_HOSTNAME = re.compile(r"(?i)\b((?:network )?hostname:?\s+)(\S+)")
_LAN_IP = re.compile(
    r"\b(?:10(?:\.\d{1,3}){3}|192\.168(?:\.\d{1,3}){2}|172\.(?:1[6-9]|2\d|3[01])(?:\.\d{1,3}){2}"
    r"|169\.254(?:\.\d{1,3}){2})\b"
)


# Every pattern above needs one of the (lower-cased) cues tested in `scrub_text`. The
# patterns start with `\b` and cannot skip ahead, so running them costs ~18 µs a line; most
# lines hold no cue and are returned untouched without running any.


def scrub_text(text: str) -> str:
    """`text` with user names, host names and LAN addresses replaced by placeholders."""
    low = text.lower()
    # Spelt out rather than any(...) over _CUES: this runs for every stored line.
    if not (
        ":\\" in low
        or ":/" in low
        or "/home/" in low
        or "/users/" in low
        or "username " in low
        or "hostname" in low
        or "10." in low
        or "192.168" in low
        or "172." in low
        or "169.254" in low
    ):
        return text
    return scrub_all(text)


def scrub_all(text: str) -> str:
    """`scrub_text` without the shortcut: every pattern runs (tests compare the two)."""
    text = _WIN_PROFILE.sub(lambda m: m.group(1) + "<user>", text)
    text = _UNIX_HOME.sub(lambda m: m.group(1) + "<user>", text)
    text = _USERNAME.sub("username <user>", text)
    text = _HOSTNAME.sub(lambda m: m.group(1) + "<host>", text)
    return _LAN_IP.sub("<lan-ip>", text)
