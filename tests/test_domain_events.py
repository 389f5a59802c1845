"""The market events are NamedTuples with type-keyed equality (see hedgetui/domain.py)."""

from __future__ import annotations

import pickle

import pytest

from hedgetui.domain import Funding, IndexPrice, MarkPrice
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
