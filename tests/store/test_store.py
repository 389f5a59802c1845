"""The store: latest state, freshness from the clock, funding accrual, derived risk view."""

from __future__ import annotations

import dataclasses

import pytest

from hedgetui.clock import ManualClock
from hedgetui.config import (
    FreshnessSettings,
    HedgeSettings,
    ManualPosition,
    Settings,
    SpotHolding,
)
from hedgetui.demo.portfolio import demo_settings
from hedgetui.domain import (
    BalanceUpdate,
    FeedState,
    FeedStatus,
    Freshness,
    Funding,
    IndexPrice,
    MarkPrice,
    PositionUpdate,
)
from hedgetui.risk import InversePosition, assess
from hedgetui.store import Store
from hedgetui.venues import get_instrument

CORE = HedgeSettings(
    name="core",
    coin="BTC",
    venue="bitmex",
    symbol="XBTUSD",
    position=ManualPosition(side="short", contracts=300_000, entry=60_000, collateral=5.0),
    target_hedge_ratio=1.0,
    hedge_band=0.05,
)
HALF = HedgeSettings(
    name="half",
    coin="ETH",
    venue="okx",
    symbol="ETH-USD-SWAP",
    spot=(SpotHolding(9.0, "cold"),),
    position=ManualPosition(side="short", contracts=1500, entry=3000, collateral=1.0),
    target_hedge_ratio=0.5,
)
ACCOUNT = HedgeSettings(name="acct", coin="BTC", venue="bybit", symbol="BTCUSD", account="main")


def make_store(*hedges: HedgeSettings, **freshness: float) -> tuple[Store, ManualClock]:
    settings = Settings(hedges=hedges or (CORE,), freshness=FreshnessSettings(**freshness))
    clock = ManualClock()
    return Store(settings, clock=clock), clock


def now_ms(clock: ManualClock) -> int:
    return int(clock.time() * 1000)


def core_position() -> InversePosition:
    p = get_instrument("bitmex", "XBTUSD")
    return InversePosition(
        side="short",
        contracts=300_000,
        contract_size=p.contract_size,
        entry=60_000,
        collateral=5.0,
        mmr=p.mmr,
        tiers=p.tiers,
        mm_basis=p.mm_basis,
        fee=p.taker_fee,
        mmr_per_coin=p.mmr_per_coin,
    )


def test_no_data_is_none_not_a_number() -> None:
    store, _ = make_store()
    view = store.snapshot()
    hedge = view.hedges[0]
    assert hedge.report is None
    assert hedge.mark is None
    assert hedge.mark_freshness is Freshness.NONE
    assert hedge.stale
    assert view.totals.net_exposure_usd is None
    assert view.totals.stale
    assert view.feeds[0].freshness is Freshness.NONE
    assert view.feeds[0].state is FeedState.CONNECTING


def test_report_equals_the_risk_engine() -> None:
    store, clock = make_store()
    store.apply(MarkPrice("bitmex", "XBTUSD", 54_000.0, now_ms(clock)))
    store.apply(Funding("bitmex", "XBTUSD", 0.0001, 0.0002, now_ms(clock) + 3_600_000, None))
    hedge = store.snapshot().hedges[0]
    expected = assess(core_position(), 54_000.0, funding_rate=0.0001, funding_hours=8.0)
    assert hedge.report == expected
    assert hedge.side == "short"
    assert hedge.contracts == 300_000
    assert hedge.funding_usd_per_interval == pytest.approx(30.0)  # 0.01% of $300,000, received
    assert hedge.funding_usd_per_day == pytest.approx(90.0)
    assert hedge.funding_apr_pct == pytest.approx(10.95)
    assert hedge.next_funding_in_s == pytest.approx(3600.0)
    assert hedge.hedge_ratio_in_band is True
    assert hedge.margin_buffer_pct_of_equity == pytest.approx(
        expected.margin_buffer_coin / expected.equity_coin * 100
    )
    clock.advance(600)
    assert store.snapshot().hedges[0].next_funding_in_s == pytest.approx(3000.0)


def test_risk_is_recomputed_only_when_an_input_changed() -> None:
    store, clock = make_store()
    store.apply(MarkPrice("bitmex", "XBTUSD", 60_000.0, None))
    first = store.snapshot()
    clock.advance(1)
    second = store.snapshot()
    assert second.version == first.version
    assert second.hedges[0].report is first.hedges[0].report  # cached, not recomputed
    store.apply(MarkPrice("bitmex", "XBTUSD", 61_000.0, None))
    third = store.snapshot()
    assert third.version == first.version + 1
    assert third.hedges[0].report is not first.hedges[0].report
    assert third.hedges[0].report is not None
    assert third.hedges[0].report.pnl_usd == pytest.approx(-5_000.0)


def test_freshness_follows_the_clock() -> None:
    store, clock = make_store(delayed_after_s=3, stale_after_s=10)
    store.apply(MarkPrice("bitmex", "XBTUSD", 60_000.0, None))
    store.apply(FeedStatus("bitmex", FeedState.LIVE))
    assert store.snapshot().hedges[0].mark_freshness is Freshness.FRESH
    clock.advance(3.5)
    view = store.snapshot()
    assert view.hedges[0].mark_freshness is Freshness.DELAYED
    assert not view.hedges[0].stale  # delayed still counts as usable
    assert view.feeds[0].freshness is Freshness.DELAYED
    assert view.feeds[0].last_message_age == pytest.approx(3.5)
    clock.advance(7)
    view = store.snapshot()
    assert view.hedges[0].mark_freshness is Freshness.STALE
    assert view.hedges[0].stale
    assert view.totals.stale
    store.apply(MarkPrice("bitmex", "XBTUSD", 60_100.0, None))
    assert store.snapshot().hedges[0].mark_freshness is Freshness.FRESH


def test_okx_index_arrives_under_the_index_id() -> None:
    store, _ = make_store(HALF)
    store.apply(MarkPrice("okx", "ETH-USD-SWAP", 3_003.0, None))
    store.apply(IndexPrice("okx", "ETH-USD", 3_000.0, None))
    hedge = store.snapshot().hedges[0]
    assert hedge.index == 3_000.0
    assert hedge.index_freshness is Freshness.FRESH
    assert hedge.basis_usd == pytest.approx(3.0)
    assert hedge.basis_bps == pytest.approx(10.0)
    assert hedge.report is not None
    assert hedge.report.hedge_ratio == pytest.approx(
        1500 * 10 / 3_003.0 / (10 + hedge.report.pnl_coin)
    )


def test_funding_accrues_once_at_each_settlement_the_venue_shows() -> None:
    store, clock = make_store()
    start = now_ms(clock)
    due = (start // 3_600_000 + 1) * 3_600_000  # the next whole hour: a funding time
    store.apply(MarkPrice("bitmex", "XBTUSD", 50_000.0, start))
    store.apply(Funding("bitmex", "XBTUSD", 0.0001, None, due, start))
    assert store.snapshot().hedges[0].funding_carried_usd == 0.0
    clock.advance((due - start) / 1000 + 1)
    # the local clock passing the funding time proves nothing: the venue must show it
    assert store.snapshot().hedges[0].funding_carried_usd == 0.0
    store.apply(MarkPrice("bitmex", "XBTUSD", 50_000.0, due + 500))
    hedge = store.snapshot().hedges[0]
    # a short receives rate x position value: 0.0001 x 300,000/50,000 BTC = 0.0006 BTC = $30
    assert hedge.funding_carried_coin == pytest.approx(0.0006)
    assert hedge.funding_carried_usd == pytest.approx(30.0)
    store.apply(MarkPrice("bitmex", "XBTUSD", 50_000.0, due + 5_000))
    assert store.snapshot().hedges[0].funding_carried_usd == pytest.approx(30.0)
    # the venue announces the next interval, with the rate turned against the short
    later = due + 8 * 3_600_000
    store.apply(Funding("bitmex", "XBTUSD", -0.0002, None, later, due + 6_000))
    clock.advance(8 * 3600)
    store.apply(MarkPrice("bitmex", "XBTUSD", 50_000.0, later + 100))
    assert store.snapshot().hedges[0].funding_carried_usd == pytest.approx(30.0 - 60.0)


def test_funding_already_past_when_first_seen_is_not_accrued() -> None:
    store, clock = make_store()
    store.apply(MarkPrice("bitmex", "XBTUSD", 50_000.0, None))
    store.apply(Funding("bitmex", "XBTUSD", 0.0001, None, now_ms(clock) - 1_000, None))
    clock.advance(60)
    assert store.snapshot().hedges[0].funding_carried_usd == 0.0


def test_account_position_and_balance() -> None:
    store, _ = make_store(ACCOUNT)
    assert store.snapshot().hedges[0].position_freshness is Freshness.NONE
    store.apply(MarkPrice("bybit", "BTCUSD", 40_000.0, None))
    store.apply(PositionUpdate("bybit", "BTCUSD", -20_000, 1.0, 40_000.0, 52_000.0, "cross"))
    assert store.snapshot().hedges[0].report is None  # cross margin needs the wallet balance
    store.apply(BalanceUpdate("bybit", "BTC", 0.5))
    hedge = store.snapshot().hedges[0]
    assert hedge.side == "short"
    assert hedge.contracts == 20_000
    assert hedge.position_freshness is Freshness.FRESH
    assert hedge.exchange_liquidation_price == 52_000.0
    assert hedge.report is not None
    assert hedge.report.equity_coin == pytest.approx(0.5)
    position = store.position("acct")
    assert position is not None
    assert hedge.report == assess(position, 40_000.0)


def test_what_if_matches_the_engine() -> None:
    store, _ = make_store(HALF)
    assert store.what_if("half", -15) is None
    store.apply(MarkPrice("okx", "ETH-USD-SWAP", 3_000.0, None))
    row = store.what_if("half", -15)
    position = store.position("half")
    assert position is not None
    assert row == assess(position, 3_000.0, spot=9.0, scenarios=(-15,)).scenarios[0]
    assert row.price == pytest.approx(2_550.0)
    table = store.what_if_table("half", (-10, 10))
    assert [r.move_pct for r in table] == [-10, 10]


def test_history_rings_are_bounded_and_one_point_per_second() -> None:
    base = Settings(hedges=(CORE,))
    settings = dataclasses.replace(
        base, display=dataclasses.replace(base.display, sparkline_points=5)
    )
    clock = ManualClock()
    store = Store(settings, clock=clock)
    for i in range(20):
        store.apply(MarkPrice("bitmex", "XBTUSD", 60_000.0 + i, None))
        store.apply(MarkPrice("bitmex", "XBTUSD", 60_000.5 + i, None))  # same second: replaces
        clock.advance(1)
    assert store.mark_history("core") == tuple(60_000.5 + i for i in range(15, 20))


def test_totals_add_up_across_hedges() -> None:
    store, _ = make_store(CORE, HALF)
    store.apply(MarkPrice("bitmex", "XBTUSD", 55_000.0, None))
    view = store.snapshot()
    assert view.totals.net_exposure_usd is None  # one hedge has no mark yet: no total
    store.apply(MarkPrice("okx", "ETH-USD-SWAP", 3_300.0, None))
    view = store.snapshot()
    reports = [h.report for h in view.hedges]
    assert all(r is not None for r in reports)
    total = sum(r.net_exposure_usd for r in reports if r is not None)
    assert view.totals.net_exposure_usd == pytest.approx(total)
    assert set(view.totals.net_exposure_by_coin) == {"BTC", "ETH"}
    assert [f.venue for f in view.feeds] == ["bitmex", "okx"]


def test_feed_status_is_reported() -> None:
    store, _ = make_store()
    store.apply(FeedStatus("bitmex", FeedState.DOWN, last_error="refused", reconnects=3))
    feed = store.snapshot().feeds[0]
    assert feed.state is FeedState.DOWN
    assert feed.reconnects == 3
    assert feed.last_error == "refused"


def _live_account_store() -> tuple[Store, ManualClock]:
    store, clock = make_store(ACCOUNT)
    store.account_status("main", FeedStatus("bybit", FeedState.CONNECTING))
    store.apply(MarkPrice("bybit", "BTCUSD", 40_000.0, None))
    store.apply(
        PositionUpdate("bybit", "BTCUSD", -20_000, 1.0, 40_000.0, None, "cross", account="main")
    )
    store.apply(BalanceUpdate("bybit", "BTC", 0.5, account="main"))
    store.account_status("main", FeedStatus("bybit", FeedState.LIVE))
    return store, clock


def test_account_position_is_unknown_before_the_first_snapshot() -> None:
    store, _ = make_store(ACCOUNT)
    store.account_status("main", FeedStatus("bybit", FeedState.LIVE))
    store.apply(MarkPrice("bybit", "BTCUSD", 40_000.0, None))
    hedge = store.snapshot().hedges[0]
    assert hedge.position_freshness is Freshness.NONE
    assert hedge.contracts is None and hedge.stale


def test_a_flat_account_position_is_a_position_of_zero_not_unknown() -> None:
    """Issue 17 item 20: after a full unwind the account reports 0 contracts; the view says
    0 (so the dialog and the command say "no open position"), never "unknown"."""
    store, _ = _live_account_store()
    store.apply(PositionUpdate("bybit", "BTCUSD", 0, 1.0, None, None, "cross", account="main"))
    hedge = store.snapshot().hedges[0]
    assert hedge.contracts == 0.0
    assert hedge.side is None and hedge.report is None
    assert hedge.position_freshness is Freshness.FRESH


def test_account_position_follows_the_stream_health() -> None:
    store, clock = _live_account_store()
    clock.advance(3_600)  # a quiet account: no events for an hour, the stream still LIVE
    store.apply(MarkPrice("bybit", "BTCUSD", 40_000.0, None))
    hedge = store.snapshot().hedges[0]
    assert hedge.position_freshness is Freshness.FRESH
    assert not hedge.stale
    store.account_status("main", FeedStatus("bybit", FeedState.DOWN, last_error="dropped"))
    assert store.snapshot().hedges[0].position_freshness is Freshness.FRESH  # just now
    clock.advance(4)  # past delayed_after_s (3)
    store.account_status("main", FeedStatus("bybit", FeedState.CONNECTING, reconnects=1))
    assert store.snapshot().hedges[0].position_freshness is Freshness.DELAYED
    clock.advance(6)  # 10 s since the stream went down (stale_after_s = 10)
    store.apply(MarkPrice("bybit", "BTCUSD", 40_000.0, None))  # the market data is fine
    view = store.snapshot()
    hedge = view.hedges[0]
    assert hedge.position_freshness is Freshness.STALE
    assert hedge.stale and view.totals.stale
    assert hedge.contracts == 20_000  # the last known numbers stay, marked stale
    (account,) = store.account_views()
    assert (account.name, account.state, account.freshness) == (
        "main",
        FeedState.CONNECTING,
        Freshness.STALE,
    )
    assert account.reconnects == 1 and account.source == "stream"
    store.account_status("main", FeedStatus("bybit", FeedState.LIVE, reconnects=1))
    hedge = store.snapshot().hedges[0]
    assert hedge.position_freshness is Freshness.FRESH and not hedge.stale


def test_account_stale_age_is_the_configured_one() -> None:
    store, clock = make_store(ACCOUNT, delayed_after_s=1.0, stale_after_s=2.0)
    store.account_status("main", FeedStatus("bybit", FeedState.LIVE))
    store.apply(
        PositionUpdate("bybit", "BTCUSD", -100, 1.0, 40_000.0, None, "isolated", account="main")
    )
    store.account_status("main", FeedStatus("bybit", FeedState.STALE))
    clock.advance(1.5)
    assert store.snapshot().hedges[0].position_freshness is Freshness.DELAYED
    clock.advance(0.5)
    assert store.snapshot().hedges[0].position_freshness is Freshness.STALE


def test_account_that_could_not_start_says_why() -> None:
    store, _ = make_store(ACCOUNT)
    store.account_problem("main", "bybit", "environment variable BYBIT_KEY is empty")
    hedge = store.snapshot().hedges[0]
    assert hedge.position_freshness is Freshness.NONE and hedge.contracts is None
    (account,) = store.account_views()
    assert account.source == "none" and account.freshness is Freshness.NONE
    assert account.last_error == "environment variable BYBIT_KEY is empty"
    assert account.state is FeedState.DOWN


def test_account_health_does_not_leak_into_the_market_feed_view() -> None:
    store, _ = _live_account_store()
    store.account_status("main", FeedStatus("bybit", FeedState.DOWN, last_error="dropped"))
    (feed,) = store.snapshot().feeds
    assert feed.state is FeedState.CONNECTING and feed.last_error is None


def test_on_change_runs_after_every_event_and_account_status() -> None:
    store = Store(demo_settings(60_000.0, 3_000.0, {}), clock=ManualClock())
    seen: list[int] = []
    store.on_change = lambda: seen.append(store.version)
    store.apply(MarkPrice("bitmex", "XBTUSD", 60_100.0, None))
    store.apply(FeedStatus("bitmex", FeedState.LIVE))
    store.account_status("acct", FeedStatus("bybit", FeedState.LIVE))
    assert seen == [1, 2, 3]  # after the version moved, so a reader sees the change
    store.snapshot()  # reading never announces a change
    assert seen == [1, 2, 3]
