"""Runtime wiring (settings -> feeds -> store) and the demo portfolio, against the simulator."""

from __future__ import annotations

import asyncio

import pytest

from hedgetui.config import HedgeSettings, ManualPosition, Settings
from hedgetui.demo import demo_environment
from hedgetui.demo.portfolio import DEMO_HEDGES, demo_settings
from hedgetui.domain import VENUES, Event, MarkPrice, Ticker
from hedgetui.risk import assess
from hedgetui.runtime import Runtime, feed_plan
from hedgetui.store import Store


def hedge(name: str, venue: str, symbol: str) -> HedgeSettings:
    position = ManualPosition(side="short", contracts=100, entry=50_000, collateral=1.0)
    return HedgeSettings(name=name, coin="BTC", venue=venue, symbol=symbol, position=position)


def test_feed_plan_uses_the_hedges_venues_and_extra_ones() -> None:
    settings = Settings(
        hedges=(
            hedge("a", "bitmex", "XBTUSD"),
            hedge("b", "bitmex", "XBTUSD"),
            hedge("c", "okx", "BTC-USD-SWAP"),
        )
    )
    assert feed_plan(settings) == {"bitmex": ("XBTUSD",), "okx": ("BTC-USD-SWAP",)}
    plan = feed_plan(settings, extra_venues=("kraken", "okx"))
    assert plan["kraken"] == ("PI_XBTUSD",)
    assert plan["okx"] == ("BTC-USD-SWAP",)


def test_demo_portfolio_matches_its_description() -> None:
    settings = demo_settings(60_000.0, 3_000.0, {"bitmex": "ws://127.0.0.1:1/realtime"})
    assert tuple(h.name for h in settings.hedges) == DEMO_HEDGES
    assert settings.venues["bitmex"].ws_url == "ws://127.0.0.1:1/realtime"
    store = Store(settings)
    reports = {}
    for h in settings.hedges:
        position = store.position(h.name)
        assert position is not None
        assert position.entry == (3_000.0 if h.coin == "ETH" else 60_000.0)
        reports[h.name] = assess(position, position.entry, spot=h.spot_total, scenarios=(-20,))
    core = reports["btc-core"]
    assert core.notional_usd == 300_000  # the classic $300,000 short on 5 BTC at $60,000
    assert core.hedge_ratio == pytest.approx(1.0)
    assert reports["eth-half"].hedge_ratio == pytest.approx(0.5)
    desk = reports["btc-desk"].liquidation_price
    assert desk is not None and 1.17 < desk / 60_000 < 1.21  # 6x short: ~19% above
    assert reports["btc-desk"].hedge_ratio == pytest.approx(1.0)  # 5/3 cold + 1/3 collateral
    desk_position = store.position("btc-desk")
    assert desk_position is not None

    def desk_distance(move: float) -> float:
        report = assess(desk_position, 60_000 * (1 + move), spot=5 / 3)
        assert report.liquidation_distance_pct is not None
        return report.liquidation_distance_pct

    closest = min(r.liquidation_distance_pct or 1e9 for r in reports.values())
    assert desk_distance(0.0) == closest  # the hedge closest to liquidation ...
    assert desk_distance(0.002) > 15 and desk_distance(-0.002) > 15  # ... clear of 15% in calm
    assert desk_distance(0.04) < 15  # ... until a ~4% rally
    lev = reports["btc-lev"]
    assert lev.liquidation_price is not None and 0.72 < lev.liquidation_price / 60_000 < 0.78
    crash_row = lev.scenarios[0]  # -20%: within ~6% of liquidation, not past it
    assert not crash_row.liquidated
    assert crash_row.liquidation_distance_pct is not None
    assert crash_row.liquidation_distance_pct < 8


def venues_with_a_mark(events: list[Event]) -> set[str]:
    """Venues that delivered a mark price (a MarkPrice, or a Ticker carrying one)."""
    return {
        e.venue
        for e in events
        if isinstance(e, MarkPrice) or (isinstance(e, Ticker) and e.mark is not None)
    }


async def test_runtime_streams_the_simulator_into_the_store_and_sinks() -> None:
    async with demo_environment("calm", speed=1.0, tick_hz=20) as (sim, settings):
        seen: list[Event] = []

        def broken(_: Event) -> None:
            raise RuntimeError("a listener that always fails")

        runtime = Runtime(settings, extra_venues=VENUES)
        runtime.add_sink(broken)
        runtime.add_sink(seen.append)
        async with runtime:
            assert set(runtime.feeds) == set(VENUES)
            for _ in range(300):  # bounded wait, 15 s
                if venues_with_a_mark(seen) == set(VENUES):
                    break
                await asyncio.sleep(0.05)
        assert venues_with_a_mark(seen) == set(VENUES)
        view = runtime.store.snapshot()
        assert all(h.report is not None for h in view.hedges)
        assert runtime.url_for("okx") == sim.ws_url("okx")


def test_url_overrides_win() -> None:
    settings = demo_settings(60_000.0, 3_000.0, {"okx": "ws://127.0.0.1:9/ws/v5/public"})
    runtime = Runtime(settings, url_overrides={"okx": "ws://127.0.0.1:7/ws/v5/public"})
    assert runtime.url_for("okx") == "ws://127.0.0.1:7/ws/v5/public"
    assert runtime.url_for("kraken") is None


async def test_demo_environment_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="speed"):
        async with demo_environment("calm", speed=0):
            pass
    with pytest.raises(ValueError, match="nosuch"):
        async with demo_environment("nosuch"):
            pass


async def test_one_stream_per_account_watching_all_its_hedges() -> None:
    """Two hedges of one account share a stream; a hedge on a disabled venue starts nothing.

    Every URL points at a closed loopback port: nothing connects, nothing leaves the machine.
    """
    from hedgetui.config import AccountSettings, VenueSettings
    from hedgetui.config.model import default_venues
    from hedgetui.domain import FeedState, Freshness

    closed = "ws://127.0.0.1:9/ws"
    venues = {
        **default_venues(),
        "okx": VenueSettings(
            "okx", ws_url=closed, rest_url="http://127.0.0.1:9", private_ws_url=closed
        ),
        "bybit": VenueSettings("bybit", enabled=False),
    }
    hedges = (
        HedgeSettings("btc", "BTC", "okx", "BTC-USD-SWAP", account="okx-main"),
        HedgeSettings("eth", "ETH", "okx", "ETH-USD-SWAP", account="okx-main"),
        HedgeSettings("off", "BTC", "bybit", "BTCUSD", account="bybit-main"),
    )
    accounts = tuple(
        AccountSettings(name, venue, api_key_env="K", api_secret_env="S", passphrase_env="P")
        for name, venue in (("okx-main", "okx"), ("bybit-main", "bybit"))
    )
    settings = Settings(hedges=hedges, accounts=accounts, venues=venues)
    env = {"K": "key", "S": "secret", "P": "phrase"}
    async with Runtime(settings, env=env) as rt:
        assert list(rt.account_streams) == ["okx-main"] and not rt.problems
        stream = rt.account_streams["okx-main"]
        assert [w.symbol for w in stream.watched] == ["BTC-USD-SWAP", "ETH-USD-SWAP"]
        assert stream.url == closed
        assert rt.account_clients["okx-main"].base_url == "http://127.0.0.1:9"
        assert rt.poke("okx-main") and not rt.poke("bybit-main")
        rt.after_order("btc")()  # the UnwindService callback: a resync of okx-main
        view = rt.store.snapshot()
        assert all(h.position_freshness is Freshness.NONE for h in view.hedges)
        await asyncio.sleep(0.05)
        (account,) = rt.store.account_views()
        assert account.name == "okx-main" and account.state is not FeedState.LIVE
    assert rt.account_streams == {} and rt.account_clients == {}
