"""The typed, immutable settings a config file turns into.

Every field carries its default; numeric limits live in the field's metadata
(``ge``/``gt``/``le``/``lt``) so that the loader checks them the same way for the file and
for ``HEDGETUI_*`` environment overrides. Secrets are never fields here: accounts name
*where* a key lives (an env var, a keyring entry, a 0600 file), never the key itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from hedgetui.domain import VENUES, MarginMode, MmBasis, Side

Permissions = Literal["read", "trade"]
DEFAULT_MAX_LIMIT_OFFSET_BPS = 300.0  # [trading] max_limit_offset_bps: 3% from the mark


class ConfigError(Exception):
    """One mistake in the configuration; ``str(e)`` is the single line shown to the user.

    Shaped ``"<path>:<line>: <key>: <problem>"`` for a file, ``"env HEDGETUI_X: <key>: ..."``
    for an environment override; parts that are unknown are left out.
    """

    def __init__(
        self,
        message: str,
        *,
        key: str | None = None,
        line: int | None = None,
        path: Path | None = None,
        env_var: str | None = None,
    ) -> None:
        self.message = message
        self.key = key
        self.line = line
        self.path = path
        self.env_var = env_var
        super().__init__(self._render())

    def _render(self) -> str:
        if self.env_var is not None:
            where = f"env {self.env_var}"
        elif self.path is not None:
            where = f"{self.path}:{self.line}" if self.line is not None else str(self.path)
        elif self.line is not None:
            where = f"line {self.line}"
        else:
            where = "config"
        key = f"{self.key}: " if self.key else ""
        return f"{where}: {key}{self.message}"


def _limits(**bounds: float) -> dict[str, float]:
    return dict(bounds)


# A file path: ``~`` is expanded when the config is loaded.
_PATH = {"path": True}


@dataclass(frozen=True, slots=True)
class DisplaySettings:
    theme: str = "dark"  # a shipped theme or a user theme's name (config.sections.check_theme)
    refresh_hz: float = field(default=10.0, metadata=_limits(gt=0, le=10))
    animations: bool = False
    sparkline_points: int = field(default=120, metadata=_limits(ge=2, le=10_000))
    ascii: bool = False  # ASCII only (also automatic when the locale is not UTF-8)


@dataclass(frozen=True, slots=True)
class FreshnessSettings:
    """Age thresholds of a price: fresh < ``delayed_after_s`` <= delayed < ``stale_after_s``.

    The plausibility gate (``hedgetui.plausibility``) keeps an implausible value out, so the input
    ages instead: a price more than ``max_jump_pct`` percent from the last good one is held back
    until ``jump_persist`` values in a row stand at the new level (1: never held back), and an
    exchange time more than ``clock_window_s`` from the local clock is refused.
    """

    delayed_after_s: float = field(default=3.0, metadata=_limits(gt=0))
    stale_after_s: float = field(default=10.0, metadata=_limits(gt=0))
    max_jump_pct: float = field(default=25.0, metadata=_limits(gt=0))
    jump_persist: int = field(default=3, metadata=_limits(ge=1, le=1000))
    clock_window_s: float = field(default=300.0, metadata=_limits(gt=0))


@dataclass(frozen=True, slots=True)
class VenueSettings:
    """One exchange. URLs left as ``None`` mean the adapter's built-in (mainnet or testnet).

    ``private_ws_url`` is the account (private) websocket stream, used by hedges whose position
    comes from an ``[[accounts]]`` entry.
    """

    name: str
    enabled: bool = True
    testnet: bool = False
    ws_url: str | None = None
    rest_url: str | None = None
    private_ws_url: str | None = None


@dataclass(frozen=True, slots=True)
class SpotHolding:
    amount: float = field(metadata=_limits(ge=0))
    where: str = ""


@dataclass(frozen=True, slots=True)
class ManualPosition:
    """A futures position typed in by hand. ``contracts`` is unsigned; ``side`` gives the sign.

    The optional venue parameters (``contract_size``, ``mmr``, ...) override the venue
    profile's values; ``None`` means "use the profile".
    """

    side: Side
    contracts: float = field(metadata=_limits(ge=0))
    entry: float = field(metadata=_limits(gt=0))
    collateral: float | None = field(default=None, metadata=_limits(ge=0))
    leverage: float | None = field(default=None, metadata=_limits(gt=0, le=200))
    margin_mode: MarginMode = "isolated"
    contract_size: float | None = field(default=None, metadata=_limits(gt=0))
    mmr: float | None = field(default=None, metadata=_limits(ge=0, lt=1))
    mm_deduction: float | None = field(default=None, metadata=_limits(ge=0))
    mm_basis: MmBasis | None = None
    fee: float | None = field(default=None, metadata=_limits(ge=0, lt=1))


@dataclass(frozen=True, slots=True)
class AlertSettings:
    """Alert thresholds. Global in ``[alerts]``; a hedge may override any of them."""

    margin_buffer_warn_pct: float = field(default=50.0, metadata=_limits(ge=0, le=100))
    margin_buffer_crit_pct: float = field(default=25.0, metadata=_limits(ge=0, le=100))
    liq_distance_warn_pct: float = field(default=15.0, metadata=_limits(ge=0, le=100))
    liq_distance_crit_pct: float = field(default=7.5, metadata=_limits(ge=0, le=100))
    hedge_band_alert: bool = True
    funding_against_apr_pct: float = field(default=20.0, metadata=_limits(ge=0))
    # the funding trap: the last 7 days of funding cost the hedge more than this (0: off)
    funding_trap_apr_pct: float = field(default=15.0, metadata=_limits(ge=0))
    funding_trap_usd: float = field(default=0.0, metadata=_limits(ge=0))
    basis_bps: float = field(default=50.0, metadata=_limits(ge=0))
    feed_stale_after_s: float = field(default=30.0, metadata=_limits(gt=0))
    liq_divergence_pct: float = field(default=1.0, metadata=_limits(ge=0))
    pending_s: float = field(default=5.0, metadata=_limits(ge=0))
    clear_ratio: float = field(default=0.2, metadata=_limits(ge=0, lt=1))
    cooldown_s: float = field(default=300.0, metadata=_limits(ge=0))
    rate_limit_per_min: int = field(default=6, metadata=_limits(ge=1))
    bell: bool = True
    desktop_osc: bool = False
    notify_send: bool = False
    apprise_urls: tuple[str, ...] = ()
    apprise_timeout_s: float = field(default=10.0, metadata=_limits(gt=0))
    log_path: str | None = field(default=None, metadata=_PATH)


@dataclass(frozen=True, slots=True)
class HedgeSettings:
    """Spot holdings of one coin and the inverse perpetual that hedges them."""

    name: str
    coin: str
    venue: str
    symbol: str
    spot: tuple[SpotHolding, ...] = ()
    position: ManualPosition | None = None
    account: str | None = None
    target_hedge_ratio: float | None = field(default=None, metadata=_limits(ge=0, le=10))
    hedge_band: float = field(default=0.05, metadata=_limits(ge=0, le=10))
    # when the hedge was opened: its carry is counted from this UTC date (None: from the start
    # of the funding history fetched)
    carry_since: date | None = None
    alerts: AlertSettings = AlertSettings()
    # [hedges.trading]: this hedge's order limits, each key defaulting to [trading]'s
    trading: TradeLimits | None = None

    @property
    def spot_total(self) -> float:
        """Coins held outside the derivatives account, summed over every place."""
        return sum(h.amount for h in self.spot)


@dataclass(frozen=True, slots=True)
class AccountSettings:
    """Where an exchange account's API key lives (never the key itself)."""

    name: str
    venue: str
    api_key_env: str | None = None
    api_secret_env: str | None = None
    passphrase_env: str | None = None
    keyring_service: str | None = None
    credentials_file: str | None = field(default=None, metadata=_PATH)
    permissions: Permissions = "read"
    testnet: bool = False


@dataclass(frozen=True, slots=True)
class TradeLimits:
    """What one order may do (``hedgetui adjust``, the dashboard's ``r``): global in
    ``[trading]``, overridable per hedge in ``[hedges.trading]``. None = no limit.

    Any order moving more than ``max_order_contracts`` contracts or ``max_order_usd`` of face
    value is refused; an order that INCREASES a position is refused when the position after
    would run at more than ``max_leverage`` (position value / equity) or be liquidated closer
    than ``min_liquidation_distance_pct`` to the mark. A reduction is never refused for those two.
    """

    max_order_contracts: float | None = field(default=None, metadata=_limits(gt=0))
    max_order_usd: float | None = field(default=None, metadata=_limits(gt=0))
    max_leverage: float | None = field(default=10.0, metadata=_limits(gt=0, le=200))
    min_liquidation_distance_pct: float | None = field(default=5.0, metadata=_limits(ge=0, lt=100))


@dataclass(frozen=True, slots=True)
class TradingSettings(TradeLimits):
    """Order sending. Off (dry-run) until the config turns it on. The order limits are
    :class:`TradeLimits`' (a hedge may override them)."""

    enabled: bool = False
    audit_log: str | None = field(default=None, metadata=_PATH)
    max_fraction: float = field(default=1.0, metadata=_limits(gt=0, le=1))
    default_limit_offset_bps: float | None = field(default=None, metadata=_limits(ge=0))
    # The furthest a limit price may sit from the mark, in basis points (300 = 3%): a limit
    # order priced further away (or at or below zero) is refused before anything is sent.
    max_limit_offset_bps: float = field(
        default=DEFAULT_MAX_LIMIT_OFFSET_BPS, metadata=_limits(gt=0, lt=10_000)
    )


@dataclass(frozen=True, slots=True)
class LoggingSettings:
    """The connection log: every feed's and account stream's connects, disconnects (with the
    reason), subscription results, auth failures and retries, one line each, 0600, rotated at
    10 MiB to ``<name>.1``. ``None``: ``connections.log`` in the user state dir;
    ``"/dev/null"``: off."""

    connection_log: str | None = field(default=None, metadata=_PATH)


@dataclass(frozen=True, slots=True)
class FundingHistorySettings:
    """The venues' funding-rate history and the accounts' realised funding payments, fetched
    over REST at start and after each funding time, cached on disk. ``cache_dir`` ``None``:
    ``funding/`` in the user cache dir (``~/.cache/hedgetui/funding``)."""

    enabled: bool = True
    lookback_days: float = field(default=30.0, metadata=_limits(gt=0, le=400))
    fetch_delay_s: float = field(default=30.0, metadata=_limits(ge=0, le=3600))
    cache_dir: str | None = field(default=None, metadata=_PATH)


def default_venues() -> Mapping[str, VenueSettings]:
    return MappingProxyType({name: VenueSettings(name=name) for name in VENUES})


@dataclass(frozen=True, slots=True)
class Settings:
    """The whole effective configuration.

    ``sources`` maps every dotted key (``display.theme``, ``hedges[0].position.entry``) to
    where its value came from: ``"file <path>:<line>"``, ``"env HEDGETUI_X"`` or ``"default"``.
    Per-hedge alert keys appear there only when the hedge overrides them.
    """

    display: DisplaySettings = DisplaySettings()
    freshness: FreshnessSettings = FreshnessSettings()
    venues: Mapping[str, VenueSettings] = field(default_factory=default_venues)
    hedges: tuple[HedgeSettings, ...] = ()
    alerts: AlertSettings = AlertSettings()
    accounts: tuple[AccountSettings, ...] = ()
    trading: TradingSettings = TradingSettings()
    logging: LoggingSettings = LoggingSettings()
    funding_history: FundingHistorySettings = FundingHistorySettings()
    # [keys]: action id -> keys, only those the user rebinds (hedgetui.keymap has the defaults)
    keys: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    path: Path | None = None
    sources: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def hedge(self, name: str) -> HedgeSettings:
        """The hedge called ``name``; ``KeyError`` naming the known ones otherwise."""
        for hedge in self.hedges:
            if hedge.name == name:
                return hedge
        known = ", ".join(repr(h.name) for h in self.hedges) or "none configured"
        raise KeyError(f"no hedge named {name!r} (known: {known})")

    def account(self, name: str) -> AccountSettings:
        """The account called ``name``; ``KeyError`` otherwise."""
        for account in self.accounts:
            if account.name == name:
                return account
        known = ", ".join(repr(a.name) for a in self.accounts) or "none configured"
        raise KeyError(f"no account named {name!r} (known: {known})")
