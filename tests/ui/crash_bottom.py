"""The bottom of the demo's crash as a deterministic store, with 0, 1, 5 or 12 alerts firing.

BTC 20% down at 48,000 (ETH at 2,400), funding -0.10% per 8 h: btc-lev (a 3x long from
60,000) sits 5.6% from its liquidation, a critical alert. A ManualClock and hand-fed events as
in ``scripted_store``; the alerts fire through the real alert engine (no pending delay), with
thresholds chosen so that exactly the wanted number of rules fire:

- 0: every rule out of reach (the hedge in danger is still on screen, without an alert);
- 1: the liquidation distance of btc-lev only (critical);
- 5: the default thresholds: that, funding against the three short hedges, eth-half's ratio;
- 12: those and the basis of every hedge (info, any basis) and the margin buffer of the three
  leveraged hedges (warning below 99% of equity).
"""

from __future__ import annotations

import dataclasses

from hedgetui.alerts import AlertEngine
from hedgetui.clock import ManualClock
from hedgetui.config import AlertSettings
from hedgetui.demo.portfolio import demo_settings
from hedgetui.domain import FeedState, FeedStatus, Funding, IndexPrice, MarkPrice
from hedgetui.store import Store
from hedgetui.ui.widgets import DashboardAlertsPanel

ALERT_COUNTS = (0, 1, 5, 12)
BOTTOM = 48_000.0
CRASH_MARKS = {
    ("bitmex", "XBTUSD"): BOTTOM * 0.999,
    ("okx", "ETH-USD-SWAP"): BOTTOM / 20 * 0.999,
    ("deribit", "BTC-PERPETUAL"): BOTTOM * 0.999,
    ("bybit", "BTCUSD"): BOTTOM * 0.999,
}
CRASH_INDEX = {"XBTUSD": BOTTOM, "ETH-USD": BOTTOM / 20, "BTC-PERPETUAL": BOTTOM, "BTCUSD": BOTTOM}
INDEX_OF = {"okx": "ETH-USD"}
IN_DANGER = "btc-lev"

_QUIET = AlertSettings(
    margin_buffer_warn_pct=0.0,
    margin_buffer_crit_pct=0.0,
    liq_distance_warn_pct=0.01,  # not 0: the card's distance gauge divides by it
    liq_distance_crit_pct=0.005,
    hedge_band_alert=False,
    funding_against_apr_pct=1e9,
    basis_bps=1e9,
)
THRESHOLDS = {
    0: _QUIET,
    1: dataclasses.replace(_QUIET, liq_distance_warn_pct=15.0, liq_distance_crit_pct=7.5),
    5: AlertSettings(),
    12: AlertSettings(basis_bps=0.0, margin_buffer_warn_pct=99.0),
}


def crash_store(alerts: int, history_s: int = 90) -> tuple[Store, ManualClock, AlertEngine]:
    """The crash bottom with ``alerts`` (one of ``ALERT_COUNTS``) alerts about to fire.

    ``history_s`` seconds of the fall come first, for the charts."""
    thresholds = dataclasses.replace(THRESHOLDS[alerts], pending_s=0.0)
    base = demo_settings(60_000.0, 3_000.0, {})
    settings = dataclasses.replace(
        base,
        alerts=thresholds,
        hedges=tuple(dataclasses.replace(h, alerts=thresholds) for h in base.hedges),
    )
    clock = ManualClock()
    store = Store(settings, clock=clock)
    for second in range(history_s):
        fall = 1 - 0.2 * second / max(1, history_s) + 0.003 * ((second * 7) % 11 - 5) / 5
        for (venue, symbol), mark in CRASH_MARKS.items():
            store.apply(MarkPrice(venue, symbol, mark / 0.8 * fall, None))
            rate = 0.0001 - 0.0011 * second / history_s
            store.apply(Funding(venue, symbol, rate, None, None, None))
        clock.advance(1)
    ms = int(clock.time() * 1000)
    for (venue, symbol), mark in CRASH_MARKS.items():
        store.apply(FeedStatus(venue, FeedState.LIVE))
        store.apply(MarkPrice(venue, symbol, mark, ms))
        store.apply(
            IndexPrice(
                venue, INDEX_OF.get(venue, symbol), CRASH_INDEX[INDEX_OF.get(venue, symbol)], ms
            )
        )
        store.apply(Funding(venue, symbol, -0.001, -0.0011, ms + 2 * 3_600_000, ms))
    engine = AlertEngine.from_settings(settings, clock=clock, pending_override_s=0)
    return store, clock, engine


def crash_panel(store: Store, engine: AlertEngine) -> DashboardAlertsPanel:
    """The dashboard's alerts panel over ``engine`` (no bell, no sinks)."""
    return DashboardAlertsPanel(engine, snapshot=store.snapshot, bell=False, interval_s=3600)
