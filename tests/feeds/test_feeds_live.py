"""Every venue's feed against the built-in simulator over loopback.

Subscribe and receive the right numbers; drop -> reconnect -> resubscribe -> numbers again;
stall -> STALE within the threshold; garbage -> counted, still live; accept-then-close -> the
backoff grows (no tight loop). Small thresholds and backoffs keep the file fast; every wait is
bounded. The ``live`` tests run both ways: plain ``ws://`` without compression, and ``wss://``
(a test CA trusted through ``SSL_CERT_FILE``, as a user would) with permessage-deflate.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import pytest
from websockets.asyncio.client import ClientConnection

from hedgetui.clock import ManualClock
from hedgetui.domain import (
    Event,
    FeedState,
    FeedStatus,
    Funding,
    IndexPrice,
    MarkPrice,
    Ticker,
    split_market_events,
)
from hedgetui.feeds import Feed, FeedConfig, get_adapter
from hedgetui.sim import Simulator, start_simulator
from hedgetui.sim.tls import SimCA, make_test_ca

pytestmark = pytest.mark.timeout(30)

# venue -> {coin: symbol}; BitMEX's simulator serves XBTUSD only
SYMBOLS = {
    "bitmex": {"BTC": "XBTUSD"},
    "bybit": {"BTC": "BTCUSD", "ETH": "ETHUSD"},
    "binance": {"BTC": "BTCUSD_PERP", "ETH": "ETHUSD_PERP"},
    "deribit": {"BTC": "BTC-PERPETUAL", "ETH": "ETH-PERPETUAL"},
    "okx": {"BTC": "BTC-USD-SWAP", "ETH": "ETH-USD-SWAP"},
    "kraken": {"BTC": "PI_XBTUSD", "ETH": "PI_ETHUSD"},
}
VENUES = list(SYMBOLS)
FAST = FeedConfig(
    backoff_initial_s=0.02,
    backoff_max_s=0.2,
    jitter=0.0,
    healthy_after_s=5.0,
    stale_after_s=0.3,
    idle_timeout_s=5.0,
    open_timeout_s=2.0,
    close_timeout_s=0.2,
)
SLOW_MARKET = 1e-6  # scenario speed: prices practically still, so the numbers can be compared


@dataclass
class Recorder:
    """The feed's sink: every event with the monotonic time it arrived.

    A ``Ticker`` is recorded as the classic events it stands for (``Ticker.parts``), so the
    checks below read the same for every venue; ``kinds`` keeps the types the feed really sent.
    """

    events: list[tuple[float, Event]] = field(default_factory=list)
    kinds: set[type] = field(default_factory=set)

    def __call__(self, event: Event) -> None:
        now = time.monotonic()
        self.kinds.add(type(event))
        if isinstance(event, Ticker):
            self.events.extend((now, part) for part in split_market_events([event]))
        else:
            self.events.append((now, event))

    def since(self, t0: float) -> list[Event]:
        return [e for t, e in self.events if t >= t0]

    def latest(self, kind: type, symbol: str) -> Event | None:
        for _, e in reversed(self.events):
            if isinstance(e, kind) and getattr(e, "symbol", None) == symbol:
                return e
        return None


async def wait_until(cond: Callable[[], bool], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


@dataclass
class Rig:
    sim: Simulator
    feed: Feed
    rec: Recorder
    venue: str
    transport: str = "ws+deflate"

    def market_events_since(self, t0: float) -> list[Event]:
        return [e for e in self.rec.since(t0) if isinstance(e, MarkPrice | IndexPrice | Funding)]


TRANSPORTS = ("ws", "wss+deflate")


@pytest.fixture(scope="session")
def test_ca(tmp_path_factory: pytest.TempPathFactory) -> SimCA:
    return make_test_ca(tmp_path_factory.mktemp("tls"))


@contextlib.asynccontextmanager
async def rig(
    venue: str,
    config: FeedConfig = FAST,
    tick_hz: float = 20.0,
    *,
    tls: SimCA | None = None,
    compression: bool = True,
) -> AsyncIterator[Rig]:
    sim = await start_simulator(
        venues=[venue],
        scenario="calm",
        speed=SLOW_MARKET,
        tick_hz=tick_hz,
        control=False,
        conn_rules=None if compression else "compression=off",
        tls=None if tls is None else tls.server_context(),
    )
    rec = Recorder()
    feed = Feed(venue, list(SYMBOLS[venue].values()), rec, url=sim.ws_url(venue), config=config)
    task = asyncio.create_task(feed.run())
    try:
        yield Rig(sim, feed, rec, venue)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await sim.close()


@pytest.fixture(params=[(v, t) for t in TRANSPORTS for v in VENUES], ids=lambda p: "-".join(p))
async def live(
    request: pytest.FixtureRequest, test_ca: SimCA, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Rig]:
    venue, transport = request.param
    secure = transport.startswith("wss")
    if secure:  # the feed trusts the test CA the way a user's client would be told to
        monkeypatch.setenv("SSL_CERT_FILE", str(test_ca.ca_file))
    async with rig(
        venue, tls=test_ca if secure else None, compression=transport.endswith("deflate")
    ) as r:
        r.transport = transport
        yield r


async def test_the_connection_is_tls_and_compressed_as_the_parameter_says(live: Rig) -> None:
    await wait_until(lambda: live.feed.status.state is FeedState.LIVE)
    ws: ClientConnection | None = live.feed._ws
    assert ws is not None
    secure = live.transport.startswith("wss")
    assert live.feed.url.startswith("wss://" if secure else "ws://")
    assert (ws.transport.get_extra_info("ssl_object") is not None) is secure
    deflate = any(e.name == "permessage-deflate" for e in ws.protocol.extensions)
    assert deflate is live.transport.endswith("deflate")


async def test_subscribes_and_receives_the_simulated_numbers(live: Rig) -> None:
    adapter = get_adapter(live.venue)
    for coin, symbol in SYMBOLS[live.venue].items():
        index_symbol = adapter.index_symbol(symbol)
        await wait_until(
            lambda s=symbol, i=index_symbol: (
                live.rec.latest(MarkPrice, s) is not None
                and live.rec.latest(IndexPrice, i) is not None
                and live.rec.latest(Funding, s) is not None
            )
        )
        mark, index, rate = live.sim.price(coin)
        got_mark = live.rec.latest(MarkPrice, symbol)
        got_index = live.rec.latest(IndexPrice, index_symbol)
        got_funding = live.rec.latest(Funding, symbol)
        assert isinstance(got_mark, MarkPrice) and isinstance(got_index, IndexPrice)
        assert isinstance(got_funding, Funding)
        # within the venue's price tick (<= 0.5 USD) of the simulator's own numbers
        assert got_mark.price == pytest.approx(mark, abs=0.51)
        assert got_index.price == pytest.approx(index, abs=0.51)
        assert got_mark.ts is not None and abs(got_mark.ts / 1000 - time.time()) < 5
        per_hour = got_funding.rate / (got_funding.interval_hours or 8.0)
        assert per_hour * 8.0 == pytest.approx(rate, rel=0.02, abs=1e-8)  # rate per interval
    assert live.feed.status.state is FeedState.LIVE
    assert live.feed.stats.malformed == 0
    assert live.feed.status.latency_ms is not None
    # one combined Ticker per ticker frame (never a lone mark); OKX's channels carry one value each
    if live.venue == "okx":
        assert Ticker not in live.rec.kinds and MarkPrice in live.rec.kinds
    else:
        assert Ticker in live.rec.kinds and MarkPrice not in live.rec.kinds


async def test_drop_reconnects_resubscribes_and_numbers_flow_again(live: Rig) -> None:
    symbol = SYMBOLS[live.venue]["BTC"]
    await wait_until(lambda: live.rec.latest(MarkPrice, symbol) is not None)
    await live.sim.fault(live.venue, "drop")
    t_drop = time.monotonic()
    await wait_until(lambda: live.feed.stats.sessions >= 2)
    t_resubscribed = time.monotonic()
    await wait_until(
        lambda: any(
            isinstance(e, MarkPrice) and e.symbol == symbol for e in live.rec.since(t_resubscribed)
        )
    )
    assert live.feed.stats.reconnects >= 1
    states = [e.state for e in live.rec.since(t_drop) if isinstance(e, FeedStatus)]
    assert FeedState.DOWN in states or FeedState.CONNECTING in states
    await wait_until(lambda: live.feed.status.state is FeedState.LIVE)
    assert live.feed.status.reconnects >= 1
    assert live.sim.connections(live.venue) == 1


async def test_stall_is_marked_stale_within_the_threshold(live: Rig) -> None:
    await wait_until(lambda: live.feed.status.state is FeedState.LIVE)
    await live.sim.fault(live.venue, "stall")
    t_stall = time.monotonic()
    await wait_until(lambda: live.feed.status.state is FeedState.STALE, within=3.0)
    took = time.monotonic() - t_stall
    # 0.3 s threshold + at most one watchdog period (0.075 s) + scheduling slack
    assert took < FAST.stale_after_s + 0.5
    stale = [e for e in live.rec.since(t_stall) if isinstance(e, FeedStatus)]
    assert stale[-1].state is FeedState.STALE
    assert stale[-1].last_message_age is not None
    assert stale[-1].last_message_age >= FAST.stale_after_s
    await live.sim.fault(live.venue, "resume")
    await wait_until(lambda: live.feed.status.state is FeedState.LIVE, within=3.0)


async def test_garbage_is_counted_and_the_feed_stays_live(live: Rig) -> None:
    await wait_until(lambda: live.feed.status.state is FeedState.LIVE)
    await live.sim.fault(live.venue, "garbage", count=4)
    await wait_until(lambda: live.feed.stats.malformed >= 4)
    t_after = time.monotonic()
    await wait_until(lambda: bool(live.market_events_since(t_after)))
    assert live.feed.status.state is FeedState.LIVE
    assert live.feed.status.malformed == live.feed.stats.malformed >= 4
    assert live.feed.stats.sessions == 1  # no reconnect needed


@pytest.mark.parametrize("venue", VENUES)
async def test_accept_then_close_backs_off_instead_of_looping(venue: str) -> None:
    config = FeedConfig(
        backoff_initial_s=0.02,
        backoff_max_s=1.0,
        backoff_factor=2.0,
        jitter=0.0,
        healthy_after_s=5.0,
        stale_after_s=0.3,
        open_timeout_s=2.0,
        close_timeout_s=0.2,
    )
    async with rig(venue, config) as r:
        await wait_until(lambda: r.feed.status.state is FeedState.LIVE)
        await r.sim.fault(venue, "accept_then_close", enabled=1)
        await r.sim.fault(venue, "drop")
        t0 = time.monotonic()
        await asyncio.sleep(1.0)
        attempts = [
            t
            for t, e in r.rec.events
            if t >= t0 and isinstance(e, FeedStatus) and e.state is FeedState.CONNECTING
        ]
        # delays 0.02, 0.04, 0.08, 0.16, 0.32, 0.64 s: about 6 attempts in 1 s, not hundreds
        assert 3 <= len(attempts) <= 8, attempts
        gaps = [b - a for a, b in itertools.pairwise(attempts)]
        # the backoff grows (compare ends, not neighbours: a busy 2-core CI box can delay one
        # wake-up by tens of ms) and never collapses into a tight loop
        assert gaps[-1] > 3 * gaps[0], gaps
        assert min(gaps) >= 0.015, gaps
        assert r.feed.status.state is not FeedState.LIVE
        # the venue recovers: the feed comes back by itself
        await r.sim.fault(venue, "accept_then_close", enabled=0)
        await wait_until(lambda: r.feed.status.state is FeedState.LIVE, within=5.0)


async def test_watchdog_closes_a_silent_socket_and_reconnects() -> None:
    config = FeedConfig(
        backoff_initial_s=0.02,
        backoff_max_s=0.1,
        jitter=0.0,
        stale_after_s=0.2,
        idle_timeout_s=0.4,
        open_timeout_s=2.0,
        close_timeout_s=0.2,
    )
    async with rig("okx", config) as r:
        await wait_until(lambda: r.feed.status.state is FeedState.LIVE)
        await r.sim.fault("okx", "stall")
        await wait_until(lambda: r.feed.stats.sessions >= 2, within=3.0)
        assert "watchdog" in (r.feed.stats.last_error or "")
        await r.sim.fault("okx", "resume")
        await wait_until(lambda: r.feed.status.state is FeedState.LIVE, within=3.0)


async def test_a_close_code_is_reported_as_the_last_error() -> None:
    async with rig("kraken") as r:
        await wait_until(lambda: r.feed.status.state is FeedState.LIVE)
        await r.sim.fault("kraken", "close_code", code=1013, reason="try again later")
        await wait_until(lambda: r.feed.stats.sessions >= 2)
        assert r.feed.stats.last_error == "closed by the venue (code 1013: try again later)"
        await wait_until(lambda: r.feed.status.state is FeedState.LIVE)


async def test_deribit_heartbeat_test_requests_are_answered() -> None:
    """The simulator closes a session that leaves a test_request unanswered at the next beat."""
    sim_clock = ManualClock()
    sim = await start_simulator(
        venues=["deribit"], scenario="calm", clock=sim_clock, tick_hz=20.0, control=False
    )
    rec = Recorder()
    feed = Feed("deribit", ["BTC-PERPETUAL"], rec, url=sim.ws_url("deribit"), config=FAST)
    task = asyncio.create_task(feed.run())
    try:
        await wait_until(lambda: feed.status.state is FeedState.LIVE)
        for _ in range(3):  # three heartbeat periods (the feed asks for the 10 s minimum)
            frames = feed.stats.frames
            sim_clock.advance(10.5)
            await wait_until(lambda n=frames: feed.stats.frames > n + 2)
        await asyncio.sleep(0.1)
        assert feed.stats.sessions == 1, feed.stats.last_error
        assert sim.connections("deribit") == 1
        assert feed.status.state is FeedState.LIVE
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await sim.close()
