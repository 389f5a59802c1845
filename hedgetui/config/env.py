"""``HEDGETUI_<SECTION>__<KEY>`` environment overrides of the scalar global settings.

``HEDGETUI_DISPLAY__THEME=light``, ``HEDGETUI_TRADING__ENABLED=false``,
``HEDGETUI_VENUES__BITMEX__TESTNET=true``. Only variables containing ``__`` are overrides
(``HEDGETUI_CONFIG`` and any ``HEDGETUI_FOO_KEY`` named by an account stay untouched). The
text is converted by the field's type here; limits are checked later with the file's values,
and every error names the variable. An error never echoes an environment value (it may be a
secret): only its length and first characters (``redact.masked``).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, get_origin

from hedgetui.config.locate import KeyPath, dotted
from hedgetui.config.model import (
    AlertSettings,
    ConfigError,
    DisplaySettings,
    FreshnessSettings,
    FundingHistorySettings,
    LoggingSettings,
    TradingSettings,
    VenueSettings,
)
from hedgetui.config.redact import masked
from hedgetui.config.schema import did_you_mean, field_type, fields_of, split_optional
from hedgetui.domain import VENUES

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

PREFIX = "HEDGETUI_"
SECTIONS: dict[str, type[DataclassInstance]] = {
    "display": DisplaySettings,
    "freshness": FreshnessSettings,
    "alerts": AlertSettings,
    "trading": TradingSettings,
    "logging": LoggingSettings,
    "funding_history": FundingHistorySettings,
}
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})


@dataclass(frozen=True, slots=True)
class EnvOverride:
    at: KeyPath
    value: object
    var: str


def env_overrides(env: Mapping[str, str]) -> list[EnvOverride]:
    """Every ``HEDGETUI_*__*`` variable in ``env`` as a typed override (sorted by name)."""
    found: list[EnvOverride] = []
    for var in sorted(env):
        if var.startswith(PREFIX) and "__" in var:
            found.append(_override(var, env[var]))
    return found


def _override(var: str, text: str) -> EnvOverride:
    parts = [p.lower() for p in var[len(PREFIX) :].split("__")]
    allowed = [*SECTIONS, "venues"]
    section = parts[0]
    if section not in allowed:
        raise ConfigError(
            f"unknown section '{section}'{did_you_mean(section, allowed)}; the environment can "
            "set display, freshness, alerts, trading, logging, funding_history and "
            "venues.<venue> keys",
            env_var=var,
        )
    cls: type[DataclassInstance]
    at: KeyPath
    if section == "venues":
        if len(parts) != 3:
            raise ConfigError("expected HEDGETUI_VENUES__<VENUE>__<KEY>", env_var=var)
        venue = parts[1]
        if venue not in VENUES:
            raise ConfigError(
                f"unknown venue '{venue}'{did_you_mean(venue, VENUES)}; known: "
                + ", ".join(VENUES),
                env_var=var,
            )
        cls, at = VenueSettings, ("venues", venue, parts[2])
        keys = [k for k in fields_of(cls) if k != "name"]
    else:
        if len(parts) != 2:
            raise ConfigError(f"expected HEDGETUI_{section.upper()}__<KEY>", env_var=var)
        cls, at = SECTIONS[section], (section, parts[1])
        keys = list(fields_of(cls))
    key = parts[-1]
    if key not in keys:
        raise ConfigError(
            f"unknown key '{key}' in [{dotted(at[:-1])}]{did_you_mean(key, keys)}",
            key=dotted(at),
            env_var=var,
        )
    return EnvOverride(at, _parse(field_type(cls, key), text, dotted(at), var), var)


def _parse(hint: Any, text: str, key: str, var: str) -> object:
    """The environment text as the TOML value the field expects."""
    inner, optional = split_optional(hint)
    stripped = text.strip()
    if optional and stripped.lower() in ("", "none", "null"):
        return None
    if inner is bool:
        if stripped.lower() in _TRUE:
            return True
        if stripped.lower() in _FALSE:
            return False
        raise ConfigError(f"must be true or false, got {masked(stripped)}", key=key, env_var=var)
    if inner is int:
        try:
            return int(stripped)
        except ValueError:
            raise ConfigError(
                f"must be a whole number, got {masked(stripped)}", key=key, env_var=var
            ) from None
    if inner is float:
        try:
            number = float(stripped)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise ConfigError(
                f"must be a finite number, got {masked(stripped)}", key=key, env_var=var
            )
        return number
    if get_origin(inner) is tuple:
        return _parse_list(stripped, key, var)
    if inner is str or get_origin(inner) is Literal:
        return text
    raise TypeError(f"unsupported settings type {hint!r} for {var}")  # programming error


def _parse_list(text: str, key: str, var: str) -> list[str]:
    """A TOML array (``["a", "b"]``) or comma-separated items; the values are not echoed."""
    if text.startswith("["):
        try:
            value = tomllib.loads(f"v = {text}")["v"]
        except tomllib.TOMLDecodeError:
            raise ConfigError("not a valid TOML array of strings", key=key, env_var=var) from None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError("must be an array of strings", key=key, env_var=var)
        return value
    return [item.strip() for item in text.split(",") if item.strip()]
