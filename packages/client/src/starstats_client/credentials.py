"""Where the device token lives: the OS keyring (service "StarStats", one entry per API URL),
or, when no keyring backend works, a file readable by the owner only in the data folder.

Never config.toml. `TokenStore` is the port; `KeyringTokenStore` and `FileTokenStore` are the
adapters, `FallbackTokenStore` tries one then the other, `MemoryTokenStore` is the twin.
"""

import contextlib
import json
import os
import stat
from pathlib import Path
from typing import Protocol

from starstats_client.errors import CredentialError

SERVICE = "StarStats"
TOKEN_FILE = "device-tokens.json"  # noqa: S105 - a file name, not a secret


class TokenStore(Protocol):
    """Device tokens keyed by API URL."""

    def get(self, api_url: str) -> str | None: ...

    def set(self, api_url: str, token: str) -> None: ...

    def delete(self, api_url: str) -> bool:
        """Forget the token; True if there was one."""
        ...

    @property
    def where(self) -> str:
        """Where tokens are kept, for messages ("the OS keyring", a file path)."""
        ...


class MemoryTokenStore:
    """The in-memory twin."""

    def __init__(self) -> None:
        self.tokens: dict[str, str] = {}

    def get(self, api_url: str) -> str | None:
        return self.tokens.get(api_url)

    def set(self, api_url: str, token: str) -> None:
        self.tokens[api_url] = token

    def delete(self, api_url: str) -> bool:
        return self.tokens.pop(api_url, None) is not None

    @property
    def where(self) -> str:
        return "memory"


class KeyringTokenStore:
    """The OS keyring through the `keyring` package. Any keyring failure (no backend, a
    locked or absent Secret Service, D-Bus errors) is a `CredentialError`."""

    def get(self, api_url: str) -> str | None:
        import keyring

        try:
            return keyring.get_password(SERVICE, api_url)
        except Exception as err:  # backends raise anything (D-Bus, COM, ...)
            raise CredentialError(f"the OS keyring cannot be read: {err}") from err

    def set(self, api_url: str, token: str) -> None:
        import keyring

        try:
            keyring.set_password(SERVICE, api_url, token)
        except Exception as err:  # see get()
            raise CredentialError(f"the OS keyring cannot store the token: {err}") from err

    def delete(self, api_url: str) -> bool:
        import keyring
        from keyring.errors import PasswordDeleteError

        try:
            keyring.delete_password(SERVICE, api_url)
        except PasswordDeleteError:
            return False
        except Exception as err:  # see get()
            raise CredentialError(f"the OS keyring cannot delete the token: {err}") from err
        return True

    @property
    def where(self) -> str:
        return "the OS keyring"


def keyring_usable() -> bool:
    """Whether `keyring` has a real backend. Its `fail` and `null` backends (what a Linux
    box without a Secret Service gets) and an empty chainer do not store anything."""
    try:
        import keyring
        from keyring.backends import chainer, fail

        backend = keyring.get_keyring()
    except Exception:  # a broken keyring install is "no keyring"
        return False
    if isinstance(backend, fail.Keyring) or type(backend).__module__ == "keyring.backends.null":
        return False
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return False
    priority = getattr(backend, "priority", 1)
    return not (isinstance(priority, int | float) and priority <= 0)


class FileTokenStore:
    """A JSON object {api_url: token} in a file created with mode 0600 (owner only; on
    Windows the per-user data folder's ACL is what protects it)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, str]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as err:
            raise CredentialError(f"{self.path}: cannot read the device token ({err})") from err
        if not isinstance(raw, dict):
            raise CredentialError(f"{self.path}: not a token file")
        return {str(k): str(v) for k, v in raw.items() if isinstance(v, str)}

    def _write(self, tokens: dict[str, str]) -> None:
        if not tokens:
            self.path.unlink(missing_ok=True)
            return
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.unlink(missing_ok=True)  # O_EXCL below: never reuse a file with looser bits
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(tokens, f)
            os.replace(tmp, self.path)
        except OSError as err:
            raise CredentialError(f"{self.path}: cannot store the device token ({err})") from err

    def get(self, api_url: str) -> str | None:
        return self._read().get(api_url)

    def set(self, api_url: str, token: str) -> None:
        tokens = self._read()
        tokens[api_url] = token
        self._write(tokens)

    def delete(self, api_url: str) -> bool:
        tokens = self._read()
        if tokens.pop(api_url, None) is None:
            return False
        self._write(tokens)
        return True

    @property
    def where(self) -> str:
        return str(self.path)


class FallbackTokenStore:
    """The keyring when it works, else the file. Reads look in both (a token written to the
    file while the keyring was away is still found); deletes clear both."""

    def __init__(self, primary: TokenStore | None, fallback: FileTokenStore) -> None:
        self.primary = primary
        self.fallback = fallback
        self._used: TokenStore = fallback if primary is None else primary

    def get(self, api_url: str) -> str | None:
        if self.primary is not None:
            try:
                found = self.primary.get(api_url)
            except CredentialError:
                found = None
            if found:
                return found
        return self.fallback.get(api_url)

    def set(self, api_url: str, token: str) -> None:
        if self.primary is not None:
            try:
                self.primary.set(api_url, token)
            except CredentialError:
                pass  # no working keyring after all: the file it is
            else:
                self._used = self.primary
                self.fallback.delete(api_url)  # no stale copy left on disk
                return
        self.fallback.set(api_url, token)
        self._used = self.fallback

    def delete(self, api_url: str) -> bool:
        removed = False
        if self.primary is not None:
            with contextlib.suppress(CredentialError):  # the file is cleared regardless
                removed = self.primary.delete(api_url)
        return self.fallback.delete(api_url) or removed

    @property
    def where(self) -> str:
        return self._used.where


def default_token_store(data: Path) -> FallbackTokenStore:
    """The OS keyring if it has a working backend, with `<data>/device-tokens.json` as the
    fallback."""
    primary = KeyringTokenStore() if keyring_usable() else None
    return FallbackTokenStore(primary, FileTokenStore(data / TOKEN_FILE))
