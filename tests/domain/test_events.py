"""The market events and the Ticker are NamedTuples with type-keyed equality (domain/events.py)."""

from __future__ import annotations

import pickle

import pytest

from hedgetui.domain import Funding, IndexPrice, MarkPrice, Ticker, split_market_events
from hedgetui.feeds.events import new_event


def test_fields_order_and_default_are_the_documented_ones() -> None:
    assert MarkPrice._fields == ("venue", "symbol", "price", "ts")
    assert IndexPrice._fields == ("venue", "symbol", "price", "ts")
    assert Funding._fields == (
        "venue",
        "symbol",
        "rate",
        "predicted_rate",
        "next_funding_time",
        "ts",
        "interval_hours",
    )
    assert Funding("okx", "BTC-USD-SWAP", 0.0001, None, None, 5).interval_hours is None


def test_a_mark_never_equals_an_index_or_a_bare_tuple_with_the_same_fields() -> None:
    fields = ("bybit", "BTCUSD", 28560.0, 1680673822577)
    mark, index = MarkPrice(*fields), IndexPrice(*fields)
    # == and != are separate methods: check both, both ways
    assert (mark == index) is False and (mark != index) is True
    assert (index == mark) is False and (index != mark) is True
    assert (mark == fields) is False and (fields != mark) is True
    assert (mark == MarkPrice(*fields)) is True and (mark != MarkPrice(*fields)) is False
    assert mark != MarkPrice("bybit", "BTCUSD", 28561.0, 1680673822577)


def test_events_hash_like_their_fields_and_work_as_keys() -> None:
    mark = MarkPrice("okx", "BTC-USD-SWAP", 27940.1, 1)
    assert {mark: 1}[MarkPrice("okx", "BTC-USD-SWAP", 27940.1, 1)] == 1
    assert len({mark, IndexPrice(*mark)}) == 2  # equal hashes, unequal events


def test_events_are_immutable_and_copy_with_replace() -> None:
    funding = Funding("kraken", "PI_XBTUSD", 1e-5, None, 1_700_000_000_000, 1, 1.0)
    with pytest.raises(AttributeError):
        funding.rate = 0.0  # type: ignore[misc]
    changed = funding._replace(rate=2e-5)
    assert changed.rate == 2e-5 and funding.rate == 1e-5
    assert type(changed) is Funding
    assert pickle.loads(pickle.dumps(funding)) == funding


def test_the_hot_path_constructor_builds_the_same_event() -> None:
    fast = new_event(Funding, ("deribit", "BTC-PERPETUAL", -1e-5, None, None, 7, 8.0))
    assert type(fast) is Funding
    assert fast == Funding("deribit", "BTC-PERPETUAL", -1e-5, None, None, 7, 8.0)
    assert fast.interval_hours == 8.0


def test_ticker_fields_and_equality_are_its_own() -> None:
    assert Ticker._fields == (
        "venue",
        "symbol",
        "ts",
        "mark",
        "index",
        "funding_rate",
        "predicted_rate",
        "next_funding_time",
        "interval_hours",
    )
    fields = ("kraken", "PI_XBTUSD", 7, 29919.75, 29927.42, 1e-7, -2e-5, 1654171200000, 1.0)
    ticker = Ticker(*fields)
    assert ticker.index == 29927.42  # the field, not tuple.index
    assert (ticker == fields) is False and (ticker != fields) is True  # never a bare tuple
    assert (fields == ticker) is False
    assert (ticker == Ticker(*fields)) is True and (ticker != Ticker(*fields)) is False
    assert ticker != ticker._replace(mark=29919.5)
    # another event type with the same items is not equal either
    mark_fields = ("kraken", "PI_XBTUSD", 29919.75, 7)
    assert Ticker(*mark_fields, None, None, None, None, None) != MarkPrice(*mark_fields)
    assert {ticker: 1}[Ticker(*fields)] == 1
    assert pickle.loads(pickle.dumps(ticker)) == ticker
    with pytest.raises(AttributeError):
        ticker.mark = 0.0  # type: ignore[misc]


def test_ticker_parts_are_the_classic_events_in_order() -> None:
    full = Ticker("bybit", "BTCUSD", 5, 28560.0, 28566.94, 1e-4, None, 1680681600000, 8.0)
    assert full.parts() == [
        MarkPrice("bybit", "BTCUSD", 28560.0, 5),
        IndexPrice("bybit", "BTCUSD", 28566.94, 5),
        Funding("bybit", "BTCUSD", 1e-4, None, 1680681600000, 5, 8.0),
    ]
    # each only when present; a zero rate is a rate
    assert Ticker("binance", "X", None, 1.5, None, None, None, None, None).parts() == [
        MarkPrice("binance", "X", 1.5, None)
    ]
    assert Ticker("deribit", "Y", 3, None, None, 0.0, None, None, 8.0).parts() == [
        Funding("deribit", "Y", 0.0, None, None, 3, 8.0)
    ]
    assert Ticker("deribit", "Y", 3, None, None, None, None, None, None).parts() == []


def test_split_market_events_expands_tickers_and_keeps_the_rest() -> None:
    ticker = Ticker("kraken", "PI_XBTUSD", 9, 2.0, 3.0, None, None, None, None)
    index = IndexPrice("okx", "BTC-USD", 27938.9, 1)
    assert split_market_events([index, ticker, index]) == [
        index,
        MarkPrice("kraken", "PI_XBTUSD", 2.0, 9),
        IndexPrice("kraken", "PI_XBTUSD", 3.0, 9),
        index,
    ]
    assert split_market_events([]) == []
