"""Carried funding: one credit per venue funding event, shown by exchange data, never the clock.

The attacks from issue 17 (a next-funding time creeping 100 ms ahead; a wall clock jumping
+/- 9 h) credit nothing; a real settlement, as each venue's simulator frames show it and the real
adapters read them, is credited exactly once with rate x position value.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import orjson
import pytest

from hedgetui.clock import ManualClock
from hedgetui.config import HedgeSettings, ManualPosition, Settings
from hedgetui.domain import Funding, MarkPrice, Ticker
from hedgetui.feeds import get_adapter
from hedgetui.sim import PROTOCOLS
from hedgetui.sim.base import Session
from hedgetui.sim.market import Market
from hedgetui.sim.scenarios import get_scenario
from hedgetui.store import Store
from tests.conftest import SAMPLES_DIR

HOUR_MS = 3_600_000
MIDNIGHT = 1_700_006_400_000  # 2023-11-15 00:00 UTC: on every venue's 1/4/8-hour grid
BITMEX_SETTLEMENT = MIDNIGHT + 4 * HOUR_MS  # BitMEX funds at 04/12/20 UTC

# venue -> (symbol, contracts, a settlement on its grid, its interval in hours)
VENUES: dict[str, tuple[str, int, int, float]] = {
    "bitmex": ("XBTUSD", 300_000, BITMEX_SETTLEMENT, 8.0),
    "bybit": ("BTCUSD", 300_000, MIDNIGHT, 8.0),
    "binance": ("BTCUSD_PERP", 3_000, MIDNIGHT, 8.0),
    "okx": ("BTC-USD-SWAP", 3_000, MIDNIGHT, 8.0),
    "kraken": ("PI_XBTUSD", 300_000, MIDNIGHT, 1.0),
}


class JumpingClock:
    """A wall clock that can jump anywhere (an NTP step, a laptop waking) over a monotonic one."""

    def __init__(self, start: float) -> None:
        self.wall = start
        self.mono = 0.0

    def time(self) -> float:
        return self.wall

    def monotonic(self) -> float:
        return self.mono

    def advance(self, seconds: float) -> None:
        self.wall += seconds
        self.mono += seconds


def short(venue: str, symbol: str, contracts: int) -> HedgeSettings:
    position = ManualPosition(side="short", contracts=contracts, entry=60_000, collateral=5.0)
    return HedgeSettings(name="h", coin="BTC", venue=venue, symbol=symbol, position=position)


def carried(store: Store) -> float:
    return store.snapshot().hedges[0].funding_carried_usd


# ------------------------------------------------------------------------------- the attacks


@pytest.mark.parametrize("venue", sorted(VENUES))
def test_a_next_funding_time_creeping_100ms_ahead_credits_nothing(venue: str) -> None:
    symbol, contracts, _, hours = VENUES[venue]
    clock = ManualClock(start=MIDNIGHT / 1000 + 1234.5)
    store = Store(Settings(hedges=(short(venue, symbol, contracts),)), clock=clock)
    ts = int(clock.time() * 1000)
    for _ in range(100):  # 10 s of frames, each saying the funding is 100 ms away
        store.apply(Ticker(venue, symbol, ts, 60_000.0, 60_000.0, 0.0025, None, ts + 100, hours))
        clock.advance(0.1)
        ts += 100
        store.apply(MarkPrice(venue, symbol, 60_000.0, ts))  # the exchange's time passes it
    assert store.snapshot().hedges[0].funding_rate == 0.0025
    assert carried(store) == 0.0


@pytest.mark.parametrize("venue", sorted(VENUES))
def test_a_wall_clock_jumping_9h_credits_nothing_without_a_settlement(venue: str) -> None:
    symbol, contracts, settlement, hours = VENUES[venue]
    clock = JumpingClock(start=(settlement - 20 * 60_000) / 1000)
    store = Store(Settings(hedges=(short(venue, symbol, contracts),)), clock=clock)
    ts = settlement - 20 * 60_000  # the exchange's time: 20 minutes before its settlement
    for _ in range(10):
        store.apply(Ticker(venue, symbol, ts, 60_000.0, 60_000.0, 0.0001, None, settlement, hours))
        for jump_h in (9, -9, -9, 9):  # the local clock steps far past the funding and back
            clock.wall += jump_h * 3600
            store.apply(
                Ticker(venue, symbol, ts, 60_000.0, 60_000.0, 0.0001, None, settlement, hours)
            )
            assert carried(store) == 0.0
        clock.advance(1)
        ts += 1_000
    # the venue's own settlement is credited once, however the local clock jumps afterwards
    clock.advance((settlement - ts) / 1000 + 1)
    store.apply(MarkPrice(venue, symbol, 60_000.0, settlement + 1_000))
    for jump_h in (9, -9, -9, 9):
        clock.wall += jump_h * 3600
        store.apply(MarkPrice(venue, symbol, 60_000.0, settlement + 2_000))
    notional = store.position("h")
    assert notional is not None
    assert carried(store) == pytest.approx(0.0001 * notional.notional_usd)


def test_implausible_next_funding_times_announce_nothing() -> None:
    symbol, contracts, settlement, hours = VENUES["bybit"]
    clock = ManualClock(start=(settlement - 60_000) / 1000)
    store = Store(Settings(hedges=(short("bybit", symbol, contracts),)), clock=clock)
    ts = settlement - 60_000
    for next_time in (
        settlement - 8 * HOUR_MS,  # already past
        settlement + 2 * 8 * HOUR_MS,  # more than an interval (and an hour) ahead
        settlement + 1,  # off the hour
    ):
        store.apply(Ticker("bybit", symbol, ts, 60_000.0, None, 0.0001, None, next_time, hours))
        store.apply(MarkPrice("bybit", symbol, 60_000.0, next_time + 1))
    assert carried(store) == 0.0


def test_the_next_interval_announced_is_the_evidence_and_each_event_counts_once() -> None:
    """OKX moves fundingTime on after a settlement; back and forth credits each time once."""
    symbol, contracts, settlement, hours = VENUES["okx"]
    clock = ManualClock(start=(settlement - 60_000) / 1000)
    store = Store(Settings(hedges=(short("okx", symbol, contracts),)), clock=clock)
    ts = settlement - 60_000
    store.apply(MarkPrice("okx", symbol, 60_000.0, ts))
    store.apply(Funding("okx", symbol, 0.0001, None, settlement, ts, hours))
    after = settlement + 8 * HOUR_MS
    for _ in range(3):  # a replayed or flapping frame cannot credit an event again
        store.apply(Funding("okx", symbol, 0.0003, None, after, ts + 1_000, hours))
        store.apply(Funding("okx", symbol, 0.0001, None, settlement, ts + 2_000, hours))
    position = store.position("h")
    assert position is not None
    assert carried(store) == pytest.approx(0.0001 * position.notional_usd)


# ------------------------------------------------------- real settlements from each venue


def sim_frames(venue: str, symbol: str, clock: ManualClock) -> tuple[Any, Session, list[Any]]:
    """The venue's simulated protocol with one client subscribed to ``symbol`` (no sockets)."""
    market = Market(get_scenario("calm"), clock, speed=1e-6)  # prices practically still
    protocol = PROTOCOLS[venue](market, tick_hz=1.0)  # every channel pushes at every tick
    adapter = get_adapter(venue)
    base = "ws://sim" if venue == "binance" else f"ws://sim{protocol.paths[0]}"
    url = urlsplit(adapter.connect_url(base, [symbol]))
    session = Session(url.path + (f"?{url.query}" if url.query else ""))
    frames = list(protocol.open(session))
    for message in adapter.subscribe_messages([symbol]):
        frames += protocol.receive(session, message)
    return protocol, session, frames


@pytest.mark.parametrize("venue", sorted(VENUES))
def test_a_real_settlement_is_credited_exactly_once(venue: str) -> None:
    """The simulator's frames around two settlements, read by the real adapter, into the store."""
    symbol, contracts, settlement, hours = VENUES[venue]
    clock = ManualClock(start=(settlement - 30_000) / 1000)
    store = Store(Settings(hedges=(short(venue, symbol, contracts),)), clock=clock)
    adapter = get_adapter(venue)
    protocol, session, frames = sim_frames(venue, symbol, clock)

    def run(frames: list[Any]) -> None:
        for frame in frames:
            for event in adapter.parse(frame):
                store.apply(event)

    run(frames)
    credits: list[float] = []
    position = store.position("h")
    assert position is not None
    n = 0
    for second_settlement in (False, True):
        if second_settlement:
            clock.advance(hours * 3600 - 120)  # to 30 s before the next settlement
        rate = None
        for _ in range(12):  # 10 s steps: before, across and after the settlement
            n += 1
            run(protocol.tick(session, protocol.quotes_now(), n))
            view = store.snapshot().hedges[0]
            if rate is None or int(clock.time() * 1000) < settlement:
                rate = view.funding_rate
            clock.advance(10)
        assert rate is not None
        credits.append(rate * position.notional_usd)
        assert carried(store) == pytest.approx(sum(credits), rel=1e-9)
        settlement += int(hours * HOUR_MS)
    assert credits[0] > 0  # the calm scenario pays the short


def test_deribit_announces_no_funding_time_so_nothing_is_carried() -> None:
    clock = ManualClock(start=(MIDNIGHT - 30_000) / 1000)
    store = Store(Settings(hedges=(short("deribit", "BTC-PERPETUAL", 30_000),)), clock=clock)
    adapter = get_adapter("deribit")
    protocol, session, frames = sim_frames("deribit", "BTC-PERPETUAL", clock)
    for n in range(1, 10):
        for frame in [*frames, *protocol.tick(session, protocol.quotes_now(), n)]:
            for event in adapter.parse(frame):
                store.apply(event)
        frames = []
        clock.advance(10)
    view = store.snapshot().hedges[0]
    assert view.funding_rate is not None and view.funding_carried_usd == 0.0


def okx_frame(name: str, **fields: str) -> bytes:
    msg = orjson.loads((SAMPLES_DIR / "okx" / name).read_bytes())
    msg["arg"]["instId"] = "BTC-USD-SWAP"
    msg["data"][0].update(instId="BTC-USD-SWAP", **fields)
    return orjson.dumps(msg)


def test_a_4_hour_okx_interval_is_credited_once_per_settlement() -> None:
    """OKX may shorten an interval: fundingTime/nextFundingTime 4 h apart, from the real sample."""
    clock = ManualClock(start=(MIDNIGHT - 60_000) / 1000)
    store = Store(Settings(hedges=(short("okx", "BTC-USD-SWAP", 3_000),)), clock=clock)
    adapter = get_adapter("okx")
    for k in range(3):  # three settlements, 4 h apart, each shown by the next fundingTime
        due = MIDNIGHT + k * 4 * HOUR_MS
        for ts in (due - 60_000, due - 1_000):
            clock.advance(ts / 1000 - clock.time())  # the frames arrive as they are stamped
            funding = {"fundingRate": f"0.000{k + 1}", "fundingTime": str(due)}
            funding |= {"nextFundingTime": str(due + 4 * HOUR_MS), "ts": str(ts)}
            for frame in (
                okx_frame("mark-price_push_docs.json", markPx="60000.0", ts=str(ts)),
                okx_frame("funding-rate_push_docs.json", **funding),
            ):
                for event in adapter.parse(frame):
                    store.apply(event)
    view = store.snapshot().hedges[0]
    assert view.funding_interval_hours == 4.0
    # the first two settlements are shown (the next fundingTime moved 4 h on); the third is not
    assert view.funding_carried_usd == pytest.approx((0.0001 + 0.0002) * 300_000)
