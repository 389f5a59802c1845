"""The connection loop's pure parts: backoff schedule, configuration, status before connecting."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hedgetui.clock import ManualClock
from hedgetui.domain import Event, FeedState
from hedgetui.feeds import Feed, FeedConfig, backoff_delay
from hedgetui.feeds.grid import ticker_delay


def test_backoff_grows_exponentially_and_is_capped() -> None:
    config = FeedConfig(backoff_initial_s=0.5, backoff_factor=2.0, backoff_max_s=30.0, jitter=0.0)
    rng = random.Random(1)
    delays = [backoff_delay(n, config, rng) for n in range(10)]
    assert delays[:7] == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0]
    assert delays[7:] == [30.0] * 3
    assert backoff_delay(10_000, config, rng) == 30.0  # no overflow on a long outage


def test_backoff_jitter_stays_within_its_band_and_under_the_cap() -> None:
    config = FeedConfig(backoff_initial_s=1.0, backoff_max_s=5.0, jitter=0.25)
    rng = random.Random(7)
    first = [backoff_delay(0, config, rng) for _ in range(500)]
    assert min(first) >= 0.75 and max(first) <= 1.25
    assert len({round(d, 6) for d in first}) > 100  # actually jittered
    capped = [backoff_delay(20, config, rng) for _ in range(500)]
    assert max(capped) <= 5.0 and min(capped) >= 3.75


def test_feed_validates_its_inputs_and_builds_the_venue_url() -> None:
    events: list[Event] = []
    with pytest.raises(ValueError, match="unknown venue"):
        Feed("mtgox", ["BTCUSD"], events.append)
    with pytest.raises(ValueError, match="no symbols"):
        Feed("bybit", [], events.append)
    feed = Feed("binance", ["BTCUSD_PERP"], events.append, testnet=True)
    assert feed.url == "wss://dstream.binancefuture.com/stream?streams=btcusd_perp@markPrice@1s"
    assert Feed("okx", ["ETH-USD-SWAP"], events.append).url == "wss://ws.okx.com:8443/ws/v5/public"
    override = Feed("kraken", ["PI_ETHUSD"], events.append, url="ws://127.0.0.1:1/ws/v1")
    assert override.url == "ws://127.0.0.1:1/ws/v1"


def test_status_before_any_data_says_down_with_no_age() -> None:
    clock = ManualClock()
    feed = Feed("deribit", ["BTC-PERPETUAL"], lambda e: None, clock=clock)
    status = feed.status
    assert status.venue == "deribit"
    assert status.state is FeedState.DOWN
    assert status.last_message_age is None  # never received: not "0 s old"
    assert (status.reconnects, status.malformed, status.latency_ms) == (0, 0, None)


@given(
    now=st.floats(0, 1e7, allow_nan=False),
    period=st.sampled_from([0.01, 0.05, 0.1, 0.25]),
)
def test_ticker_delay_lands_every_feed_on_one_grid(now: float, period: float) -> None:
    """Feeds that start apart still wake together: the next wake is a multiple of the period."""
    delay = ticker_delay(now, period)
    assert period / 10 - 1e-9 <= delay <= 1.1 * period + 1e-9
    remainder = (now + delay) % period
    assert min(remainder, period - remainder) < 1e-6


def test_ticker_delay_for_two_feeds_started_apart() -> None:
    period = 0.25
    a = 100.0 + 0.03  # the first feed's ticker, then the second one 120 ms later
    b = a + 0.12
    assert a + ticker_delay(a, period) == pytest.approx(b + ticker_delay(b, period))
    assert ticker_delay(100.2499, period) == pytest.approx(0.2501)  # never twice in a hair
