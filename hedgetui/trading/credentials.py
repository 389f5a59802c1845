"""API credentials per account: env vars, the system keyring, or a 0600 TOML file.

Secrets live in :class:`Secret`, whose ``repr``/``str`` print ``***`` so that a secret
cannot leak through a log line, a traceback's locals or an f-string by accident. Every
error path that may echo venue text runs it through :func:`redact` first.
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from hedgetui.files import KIB, FileReadError, loads_toml, read_text_file

REDACTED = "***"
MAX_FILE_BYTES = 64 * KIB  # a few keys; anything bigger is the wrong file


class CredentialsError(Exception):
    """Credentials missing, unreadable or stored unsafely (the message names the source)."""


class Secret:
    """A string that never prints itself. Call :meth:`reveal` only where it is signed/sent."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return REDACTED

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


@dataclass(frozen=True, slots=True)
class Credentials:
    """One account's keys. ``api_key`` is only an identifier but is redacted too."""

    account: str
    api_key: Secret
    api_secret: Secret
    passphrase: Secret | None = None
    source: str = ""

    def secrets(self) -> tuple[Secret, ...]:
        found = [self.api_key, self.api_secret]
        if self.passphrase is not None:
            found.append(self.passphrase)
        return tuple(found)


def redact(text: str, secrets: Iterable[Secret | str | None]) -> str:
    """``text`` with every occurrence of every (non-trivial) secret replaced by ``***``."""
    values = sorted(
        {s.reveal() if isinstance(s, Secret) else s for s in secrets if s is not None},
        key=len,
        reverse=True,
    )
    for value in values:
        if len(value) >= 4:  # a 1-3 character "secret" would shred ordinary text
            text = text.replace(value, REDACTED)
    return text


class AccountLike(Protocol):
    """The fields of ``hedgetui.config.AccountSettings`` this module reads."""

    @property
    def name(self) -> str: ...
    @property
    def venue(self) -> str: ...
    @property
    def api_key_env(self) -> str | None: ...
    @property
    def api_secret_env(self) -> str | None: ...
    @property
    def passphrase_env(self) -> str | None: ...
    @property
    def keyring_service(self) -> str | None: ...
    @property
    def credentials_file(self) -> str | None: ...


def needs_passphrase(venue: str) -> bool:
    return venue == "okx"


def load_credentials(account: AccountLike, env: Mapping[str, str] | None = None) -> Credentials:
    """Find the account's keys: env vars, then keyring, then the credentials file.

    Raises :class:`CredentialsError` naming what was tried (never the values).
    """
    env = os.environ if env is None else env
    tried: list[str] = []
    if account.api_key_env or account.api_secret_env:
        tried.append(f"env {account.api_key_env}/{account.api_secret_env}")
        found = _from_env(account, env)
        if found is not None:
            return found
    if account.keyring_service:
        tried.append(f"keyring service {account.keyring_service!r}")
        found = _from_keyring(account)
        if found is not None:
            return found
    if account.credentials_file:
        tried.append(f"file {account.credentials_file}")
        return _from_file(account, Path(account.credentials_file).expanduser())
    where = ", ".join(tried) if tried else "no source configured"
    raise CredentialsError(
        f"account {account.name!r}: no API credentials found ({where}); set api_key_env/"
        "api_secret_env, keyring_service or credentials_file in [[accounts]]"
    )


def _build(
    account: AccountLike, key: str, secret: str, phrase: str | None, src: str
) -> Credentials:
    if needs_passphrase(account.venue) and not phrase:
        raise CredentialsError(f"account {account.name!r}: OKX needs a passphrase too ({src})")
    return Credentials(
        account=account.name,
        api_key=Secret(key),
        api_secret=Secret(secret),
        passphrase=Secret(phrase) if phrase else None,
        source=src,
    )


def _from_env(account: AccountLike, env: Mapping[str, str]) -> Credentials | None:
    key = env.get(account.api_key_env or "", "")
    secret = env.get(account.api_secret_env or "", "")
    if not key and not secret:
        return None
    if not key or not secret:
        missing = account.api_key_env if not key else account.api_secret_env
        raise CredentialsError(f"account {account.name!r}: environment variable {missing} is empty")
    phrase = env.get(account.passphrase_env or "", "") or None
    return _build(account, key, secret, phrase, "env")


def _from_keyring(account: AccountLike) -> Credentials | None:
    """Entries ``<service>`` / ``<account>:api_key``, ``:api_secret``, ``:passphrase``."""
    try:
        import keyring  # optional dependency, imported only when configured
    except ImportError as exc:
        raise CredentialsError(
            f"account {account.name!r}: keyring_service is set but the 'keyring' package is not "
            "installed (pip install 'hedgetui[keyring]')"
        ) from exc
    service = account.keyring_service or ""
    key = keyring.get_password(service, f"{account.name}:api_key")
    secret = keyring.get_password(service, f"{account.name}:api_secret")
    if not key or not secret:
        return None
    phrase = keyring.get_password(service, f"{account.name}:passphrase")
    return _build(account, str(key), str(secret), str(phrase) if phrase else None, "keyring")


def check_file_private(path: Path) -> None:
    """Refuse a credentials file that group or others can read or write."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise CredentialsError(f"credentials file {path}: {exc.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise CredentialsError(
            f"credentials file {path} is accessible by group/others (mode "
            f"{stat.S_IMODE(mode):04o}); run: chmod 600 {path}"
        )


def _from_file(account: AccountLike, path: Path) -> Credentials:
    """TOML: ``[<account name>]`` tables (or top-level keys) api_key, api_secret, passphrase."""
    check_file_private(path)
    try:
        data = loads_toml(read_text_file(path, what="credentials file", max_bytes=MAX_FILE_BYTES))
    except FileReadError as exc:
        line = f" (line {exc.line})" if exc.line is not None else ""
        raise CredentialsError(f"credentials file {path}: {exc.reason}{line}") from None
    except tomllib.TOMLDecodeError as exc:
        raise CredentialsError(f"credentials file {path}: not valid TOML ({exc})") from None
    table = data.get(account.name, data)
    if not isinstance(table, dict):
        raise CredentialsError(f"credentials file {path}: [{account.name}] must be a table")
    key, secret, phrase = table.get("api_key"), table.get("api_secret"), table.get("passphrase")
    if not isinstance(key, str) or not isinstance(secret, str) or not key or not secret:
        raise CredentialsError(
            f"credentials file {path}: [{account.name}] needs string api_key and api_secret"
        )
    if phrase is not None and not isinstance(phrase, str):
        raise CredentialsError(f"credentials file {path}: [{account.name}] passphrase must be text")
    return _build(account, key, secret, phrase, f"file {path}")
