"""Configuration: TOML -> typed, immutable settings, with errors that name the key and line.

``load_settings(resolve_config_path(args.config, os.environ), os.environ)`` is the usual call.
"""

from __future__ import annotations

from hedgetui.config.model import (
    AccountSettings,
    AlertSettings,
    ConfigError,
    DisplaySettings,
    FreshnessSettings,
    FundingHistorySettings,
    HedgeSettings,
    LoggingSettings,
    ManualPosition,
    Settings,
    SpotHolding,
    TradeLimits,
    TradingSettings,
    VenueSettings,
)
from hedgetui.config.parse import load_settings, parse_settings
from hedgetui.config.paths import (
    ENV_CONFIG,
    default_config_path,
    default_state_dir,
    resolve_config_path,
)
from hedgetui.config.redact import redact_secret_url, redact_url

__all__ = [
    "ENV_CONFIG",
    "AccountSettings",
    "AlertSettings",
    "ConfigError",
    "DisplaySettings",
    "FreshnessSettings",
    "FundingHistorySettings",
    "HedgeSettings",
    "LoggingSettings",
    "ManualPosition",
    "Settings",
    "SpotHolding",
    "TradeLimits",
    "TradingSettings",
    "VenueSettings",
    "default_config_path",
    "default_state_dir",
    "load_settings",
    "parse_settings",
    "redact_secret_url",
    "redact_url",
    "resolve_config_path",
]
