"""Every effective setting as ``(key, value, source)`` rows, secrets redacted.

Used by ``hedgetui check-config``; usable by anything that wants to show the settings.
URLs that may carry tokens (``apprise_urls``, ``ws_url``, ``private_ws_url``, ``rest_url``) are
redacted here so no caller can forget to.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass

from hedgetui.config.locate import KeyPath, dotted
from hedgetui.config.model import AccountSettings, Settings
from hedgetui.config.redact import redact_secret_url, redact_url
from hedgetui.keymap import keys_in_force

JsonValue = str | int | float | bool | None | list[str]


@dataclass(frozen=True, slots=True)
class SettingRow:
    key: str
    value: JsonValue  # already redacted
    source: str

    @property
    def shown(self) -> str:
        """The value as TOML would spell it (``"dark"``, ``true``, ``4.0``), or ``(unset)``."""
        return format_value(self.value)


def format_value(value: JsonValue) -> str:
    if value is None:
        return "(unset)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(json.dumps(v) for v in value) + "]"
    return repr(value)


def _redacted(key: str, value: object) -> JsonValue:
    if key.endswith("apprise_urls") and isinstance(value, tuple):
        return [redact_secret_url(str(v)) for v in value]
    if key.endswith(("ws_url", "rest_url")) and isinstance(value, str):
        return redact_url(value)
    if isinstance(value, tuple):
        return [str(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def setting_rows(settings: Settings) -> list[SettingRow]:
    """All settings in file order: display, freshness, alerts, trading, logging, funding_history,
    venues, keys (every action's keys in force), accounts, hedges."""
    rows: list[SettingRow] = []
    sources = settings.sources

    def walk(obj: object, at: KeyPath, *, only_sourced: bool = False) -> None:
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            for f in dataclasses.fields(obj):
                walk(getattr(obj, f.name), (*at, f.name), only_sourced=only_sourced)
        elif isinstance(obj, tuple) and obj and dataclasses.is_dataclass(obj[0]):
            for i, item in enumerate(obj):
                walk(item, (*at, i), only_sourced=only_sourced)
        else:
            key = dotted(at)
            if only_sourced and key not in sources:
                return
            rows.append(SettingRow(key, _redacted(key, obj), sources.get(key, "default")))

    walk(settings.display, ("display",))
    walk(settings.freshness, ("freshness",))
    walk(settings.alerts, ("alerts",))
    walk(settings.trading, ("trading",))
    walk(settings.logging, ("logging",))
    walk(settings.funding_history, ("funding_history",))
    for name, venue in settings.venues.items():
        for f in dataclasses.fields(venue):
            if f.name != "name":
                walk(getattr(venue, f.name), ("venues", name, f.name))
    for action_id, keys in keys_in_force(settings.keys).items():
        key = f"keys.{action_id}"
        rows.append(SettingRow(key, ",".join(keys), sources.get(key, "default")))
    walk(settings.accounts, ("accounts",))
    if not settings.hedges:
        rows.append(SettingRow("hedges", [], sources.get("hedges", "default")))
    for i, hedge in enumerate(settings.hedges):
        at: KeyPath = ("hedges", i)
        for f in dataclasses.fields(hedge):
            value = getattr(hedge, f.name)
            if f.name in ("alerts", "trading"):
                walk(value, (*at, f.name), only_sourced=True)
            elif f.name == "position" and value is None:
                continue
            else:
                walk(value, (*at, f.name))
    return rows


def settings_json(settings: Settings) -> dict[str, object]:
    """``{"path": ..., "settings": {key: {"value": ..., "source": ...}}}`` (redacted)."""
    rows: Mapping[str, object] = {
        r.key: {"value": r.value, "source": r.source} for r in setting_rows(settings)
    }
    return {"path": str(settings.path) if settings.path else None, "settings": dict(rows)}


def account_warnings(settings: Settings, env: Mapping[str, str]) -> list[str]:
    """What would keep an account's keys from loading here, one line each (names, never values).

    An account whose ``api_key_env``/``api_secret_env``/``passphrase_env`` variable is unset or
    empty has no keys in this environment unless a keyring entry or credentials file backs it;
    a credentials file that does not exist is named too.
    """
    warnings: list[str] = []
    for i, account in enumerate(settings.accounts):
        where = f"accounts[{i}] ('{account.name}')"
        unset = [(key, var) for key, var in _env_names(account) if var and not env.get(var, "")]
        fallback = account.keyring_service or account.credentials_file
        if unset and not fallback:
            plural = len(unset) > 1
            warnings.append(
                f"{where}: environment variable{'s' if plural else ''} "
                f"{', '.join(var for _, var in unset)} {'are' if plural else 'is'} not set "
                f"({', '.join(key for key, _ in unset)}): this account has no keys here"
            )
        path = account.credentials_file
        only_source = not account.keyring_service and (unset or not account.api_key_env)
        if path and only_source and not os.path.exists(os.path.expanduser(path)):
            warnings.append(f"{where}: credentials_file {path} does not exist")
    return warnings


def _env_names(account: AccountSettings) -> list[tuple[str, str | None]]:
    names: list[tuple[str, str | None]] = [
        ("api_key_env", account.api_key_env),
        ("api_secret_env", account.api_secret_env),
    ]
    if account.venue == "okx" or account.passphrase_env:
        names.append(("passphrase_env", account.passphrase_env))
    return names
