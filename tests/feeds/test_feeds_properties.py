"""Property tests of the plausibility bands (issue 17): over every adapter, whatever a frame
carries, an emitted price, rate, interval or timestamp is a finite number inside its band and a
bool is never a number; through the store, a refused value never shows, let alone as fresh."""

from __future__ import annotations

import contextlib
import json
import math
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hedgetui.clock import ManualClock
from hedgetui.config import FreshnessSettings, Settings
from hedgetui.domain import Freshness, Funding, IndexPrice, MarketEvent, MarkPrice, Ticker
from hedgetui.feeds import FeedParseError, get_adapter
from hedgetui.plausibility import (
    INTERVAL_MAX_H,
    INTERVAL_MIN_H,
    PRICE_MAX,
    PRICE_MIN,
    TIME_MAX_MS,
    TIME_MIN_MS,
    price_band,
    rate_cap,
)
from hedgetui.store import Store
from hedgetui.venues import get_instrument
from tests.feeds.test_feeds_fuzz import FRAMES
from tests.store.test_store import CORE

PROPERTY = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

hostile_numbers = st.one_of(
    st.sampled_from([0, -5, 1, 5e-324, 1e-9, 1e300, 1e30, -1e30, 10**30, 2**64 - 1, -(2**63)]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(min_value=-(10**20), max_value=10**20),
)
hostile_values = st.one_of(
    st.booleans(),
    st.none(),
    hostile_numbers,
    hostile_numbers.map(str),  # the same as numeric strings
    st.sampled_from(["NaN", "nan", "inf", "-Infinity", "", "true", "1e999", "0x10", " 1 "]),
    st.text(max_size=8),
)


def leaves(node: object, path: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """The path of every scalar inside ``node``."""
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in leaves(v, (*path, k))]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in leaves(v, (*path, i))]
    return [path]


def replaced(node: Any, path: tuple[object, ...], value: object) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    copy = dict(node) if isinstance(node, dict) else list(node)
    copy[head] = replaced(node[head], rest, value)  # type: ignore[index, call-overload]
    return copy


@st.composite
def hostile_frames(draw: st.DrawFn) -> tuple[str, bytes, bytes]:
    """A real sample frame with one to four of its values replaced by arbitrary JSON values."""
    venue, original = draw(st.sampled_from(FRAMES))
    msg = orjson.loads(original)
    paths = leaves(msg)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        msg = replaced(msg, draw(st.sampled_from(paths)), draw(hostile_values))
    return venue, original, json.dumps(msg).encode()  # stdlib: writes ints beyond 64 bits


def is_number(value: object) -> bool:
    return type(value) is float or type(value) is int


def check_bands(venue: str, events: list[MarketEvent]) -> None:
    cap = rate_cap(venue)
    for event in events:
        if isinstance(event, Ticker):
            prices = (event.mark, event.index)
            rates = (event.funding_rate, event.predicted_rate)
            times = (event.ts, event.next_funding_time)
            hours = event.interval_hours
        elif isinstance(event, MarkPrice | IndexPrice):
            prices, rates, times, hours = (event.price,), (), (event.ts,), None
        else:
            assert isinstance(event, Funding)
            prices, hours = (), event.interval_hours
            rates = (event.rate, event.predicted_rate)
            times = (event.ts, event.next_funding_time)
        for p in prices:
            assert p is None or (type(p) is float and PRICE_MIN <= p <= PRICE_MAX), event
        for r in rates:
            assert r is None or (type(r) is float and -cap <= r <= cap), event
        for t in times:
            assert t is None or (type(t) is int and TIME_MIN_MS <= t <= TIME_MAX_MS), event
        assert hours is None or (is_number(hours) and INTERVAL_MIN_H <= hours <= INTERVAL_MAX_H)
        assert hours is None or math.isfinite(hours)


def parse_checked(venue: str, frame: bytes, prime: bytes | None) -> None:
    adapter = get_adapter(venue)
    if prime is not None:
        with contextlib.suppress(FeedParseError):
            adapter.parse(prime)
    try:
        events = adapter.parse(frame)
    except FeedParseError:
        return
    check_bands(venue, events)


@PROPERTY
@given(case=hostile_frames())
def test_every_emitted_value_is_inside_its_band(case: tuple[str, bytes, bytes]) -> None:
    venue, original, frame = case
    parse_checked(venue, frame, None)
    parse_checked(venue, frame, original)  # as a delta after the real snapshot (merge paths)


def outcome(venue: str, msg: object, prime: bytes) -> object:
    """What a fresh adapter, primed with the real frame, makes of ``msg``: events or the error."""
    adapter = get_adapter(venue)
    with contextlib.suppress(FeedParseError):
        adapter.parse(prime)
    try:
        events = adapter.parse(orjson.dumps(msg))
    except FeedParseError as exc:
        return str(exc)
    check_bands(venue, events)
    return events


@pytest.mark.parametrize(
    ("venue", "frame"), FRAMES, ids=[f"{v}-{i}" for i, (v, _) in enumerate(FRAMES)]
)
def test_a_bool_is_never_read_as_a_number(venue: str, frame: bytes) -> None:
    """Each value of each real frame in turn: where 1 and 3 (or 0 and 2) read differently, the
    value is read as a number there, and ``true`` (``false``) must not read like 1 (0) (unless
    that number means "no value", as null does)."""
    msg = orjson.loads(frame)
    for path in leaves(msg):
        for flag, number in ((True, 1), (False, 0)):
            as_number = outcome(venue, replaced(msg, path, number), frame)
            if as_number == outcome(venue, replaced(msg, path, number + 2), frame):
                continue  # not read as a number here
            if as_number == outcome(venue, replaced(msg, path, None), frame):
                continue  # this number means "no value" here (a zero Kraken or Bybit omits)
            assert outcome(venue, replaced(msg, path, flag), frame) != as_number, (path, flag)


# --------------------------------------------------------------------------- through the store

BAND = price_band(get_instrument(CORE.venue, CORE.symbol).tick_size)
marks = st.one_of(
    st.floats(min_value=40_000, max_value=80_000),  # plausible
    st.sampled_from([5e-324, 1e-9, 0.1, 1e300, 6e7, 600.0, 600_000.0]),  # not
    st.floats(min_value=1e-8, max_value=1e9),
)


@PROPERTY
@given(steps=st.lists(st.tuples(marks, st.sampled_from([0.5, 1.0, 4.0, 11.0])), max_size=25))
def test_through_the_store_a_refused_value_never_shows(steps: list[tuple[float, float]]) -> None:
    settings_ = Settings(hedges=(CORE,), freshness=FreshnessSettings(jump_persist=2))
    clock = ManualClock()
    store = Store(settings_, clock=clock)
    shown: float | None = None  # the last mark the store accepted
    accepted_at: float | None = None
    for mark, wait in steps:
        clock.advance(wait)
        before = sum(store.refused_counts().values())
        now = int(clock.time() * 1000)
        store.apply(Ticker(CORE.venue, CORE.symbol, now, mark, None, None, None, None, None))
        refused = sum(store.refused_counts().values()) > before
        if not refused:
            shown, accepted_at = mark, clock.monotonic()
        hedge = store.snapshot().hedges[0]
        assert hedge.mark == shown  # a refused value is never shown, fresh or not
        assert shown is None or BAND[0] <= shown <= BAND[1]
        if accepted_at is None:
            assert hedge.mark_freshness is Freshness.NONE
        elif clock.monotonic() - accepted_at >= settings_.freshness.stale_after_s:
            assert hedge.mark_freshness is Freshness.STALE
        if refused and hedge.mark_freshness is Freshness.FRESH:
            assert accepted_at is not None
            assert clock.monotonic() - accepted_at < settings_.freshness.delayed_after_s
