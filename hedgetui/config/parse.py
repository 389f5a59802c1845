"""TOML text -> ``Settings``: every mistake becomes one ``ConfigError`` naming key and line."""

from __future__ import annotations

import copy
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from hedgetui.config.env import EnvOverride, env_overrides
from hedgetui.config.hedges import read_accounts, read_hedges
from hedgetui.config.locate import KeyPath, key_lines
from hedgetui.config.model import (
    AlertSettings,
    ConfigError,
    DisplaySettings,
    FreshnessSettings,
    FundingHistorySettings,
    LoggingSettings,
    Settings,
    TradingSettings,
)
from hedgetui.config.schema import (
    Context,
    Table,
    as_table,
    check_keys,
    fields_of,
    read_table,
)
from hedgetui.config.sections import (
    check_alerts,
    check_freshness,
    check_theme,
    read_keys,
    read_venues,
)
from hedgetui.files import MIB, FileReadError, loads_toml, read_text_file

MAX_CONFIG_BYTES = MIB  # a config is a few KiB; /dev/zero or a log file given by mistake is not
SECTIONS = (
    "display",
    "freshness",
    "venues",
    "alerts",
    "trading",
    "logging",
    "funding_history",
    "keys",
    "accounts",
    "hedges",
)

# Keys that would hold a secret: rejected anywhere in the file, with the way to do it instead.
SECRET_KEYS: Mapping[str, str] = MappingProxyType(
    {
        "api_key": "api_key_env",
        "apikey": "api_key_env",
        "key": "api_key_env",
        "api_secret": "api_secret_env",
        "secret": "api_secret_env",
        "secret_key": "api_secret_env",
        "private_key": "api_secret_env",
        "passphrase": "passphrase_env",
        "api_passphrase": "passphrase_env",
        "password": "passphrase_env",
        "token": "api_secret_env",
    }
)


def parse_settings(
    text: str, *, path: Path | None = None, env: Mapping[str, str] | None = None
) -> Settings:
    """Validate TOML ``text`` (with ``HEDGETUI_*__*`` overrides from ``env``) into ``Settings``."""
    try:
        raw = loads_toml(text)
        # the line scanner and the checks recurse on nesting too
        return build_settings(raw, lines=key_lines(text), path=path, env=env)
    except tomllib.TOMLDecodeError as exc:
        raise _syntax_error(exc, path) from None
    except (FileReadError, RecursionError):
        raise ConfigError("TOML nested too deeply", path=path) from None


def load_settings(path: Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read and validate the file at ``path``; ``None`` gives the defaults (plus env overrides)."""
    if path is None:
        return build_settings({}, lines={}, path=None, env=env)
    path = Path(path)
    try:
        text = read_text_file(path, what="config file", max_bytes=MAX_CONFIG_BYTES)
    except FileReadError as exc:
        raise ConfigError(exc.reason, path=path, line=exc.line) from None
    return parse_settings(text, path=path, env=env)


def _syntax_error(exc: tomllib.TOMLDecodeError, path: Path | None) -> ConfigError:
    message = str(exc)
    found = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
    if found:
        return ConfigError(
            f"TOML syntax: {message[: found.start()]} (column {found.group(2)})",
            line=int(found.group(1)),
            path=path,
        )
    end = re.search(r"\s*\(at end of document\)$", message)
    text = message[: end.start()] + " (at end of file)" if end else message
    return ConfigError(f"TOML syntax: {text}", path=path)


# --------------------------------------------------------------------------- the whole file


def build_settings(
    raw: Mapping[str, object],
    *,
    lines: dict[KeyPath, int],
    path: Path | None,
    env: Mapping[str, str] | None,
) -> Settings:
    ctx = Context(path, lines)
    _reject_secrets(raw, (), ctx)
    data = copy.deepcopy(dict(raw))
    for override in env_overrides(env or {}):
        _apply(data, override, ctx)
    _check_top_level(data, ctx)

    display = read_table(DisplaySettings, _section(data, "display", ctx), ("display",), ctx)
    check_theme(display, ctx)
    freshness = read_table(FreshnessSettings, _section(data, "freshness", ctx), ("freshness",), ctx)
    check_freshness(freshness, ctx)
    venues = read_venues(_section(data, "venues", ctx), ctx)
    alerts = read_table(AlertSettings, _section(data, "alerts", ctx), ("alerts",), ctx)
    check_alerts(alerts, ("alerts",), ctx)
    trading = read_table(TradingSettings, _section(data, "trading", ctx), ("trading",), ctx)
    logging = read_table(LoggingSettings, _section(data, "logging", ctx), ("logging",), ctx)
    funding_history = read_table(
        FundingHistorySettings,
        _section(data, "funding_history", ctx),
        ("funding_history",),
        ctx,
    )
    keys = read_keys(_section(data, "keys", ctx), ctx)
    accounts = read_accounts(data.get("accounts", []), ctx)
    hedges = read_hedges(data.get("hedges", []), alerts, accounts, ctx, trading)
    return Settings(
        display=display,
        freshness=freshness,
        venues=venues,
        hedges=hedges,
        alerts=alerts,
        accounts=accounts,
        trading=trading,
        logging=logging,
        funding_history=funding_history,
        keys=keys,
        path=path,
        sources=MappingProxyType(dict(ctx.sources)),
    )


def _check_top_level(data: Mapping[str, object], ctx: Context) -> None:
    """Unknown top-level keys; a section's key written above every header gets told where."""
    homes = {
        "display": fields_of(DisplaySettings),
        "freshness": fields_of(FreshnessSettings),
        "alerts": fields_of(AlertSettings),
        "trading": fields_of(TradingSettings),
        "logging": fields_of(LoggingSettings),
        "funding_history": fields_of(FundingHistorySettings),
    }
    for key in data:
        for section, names in homes.items():
            if key not in SECTIONS and key in names:
                raise ctx.error(
                    (key,), f"'{key}' belongs in the [{section}] table: put it below [{section}]"
                )
    check_keys(data, SECTIONS, (), ctx)


def _section(data: Mapping[str, object], name: str, ctx: Context) -> Table:
    return as_table(data.get(name, {}), (name,), ctx)


def _apply(data: dict[str, object], override: EnvOverride, ctx: Context) -> None:
    """Put an env value into the raw document (env beats file) and remember its origin."""
    node = data
    for part in override.at[:-1]:
        child = node.setdefault(str(part), {})
        if not isinstance(child, dict):
            raise ctx.error((*override.at[: override.at.index(part) + 1],), "must be a table")
        node = child
    node[str(override.at[-1])] = override.value
    ctx.env[override.at] = override.var


def _reject_secrets(node: object, at: KeyPath, ctx: Context) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key.lower() in SECRET_KEYS:
                instead = SECRET_KEYS[key.lower()]
                raise ctx.error(
                    (*at, key),
                    "secrets are never stored in the config file; put the value in an "
                    f'environment variable and set {instead} = "VAR_NAME" in [[accounts]], '
                    "or use keyring_service or a 0600 credentials_file",
                )
            _reject_secrets(value, (*at, key), ctx)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            _reject_secrets(item, (*at, i), ctx)


__all__ = ["build_settings", "load_settings", "parse_settings"]
