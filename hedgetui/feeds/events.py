"""Fast constructors for the domain's market events.

``hedgetui.domain`` events are frozen slotted dataclasses; their generated ``__init__`` goes
through ``object.__setattr__`` for every field, which costs about as much as parsing a small
frame. On the hot path we build them with ``object.__new__`` and the slot descriptors instead:
the result is an ordinary, equal, immutable instance (every slot is set), made ~40% faster.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from hedgetui.domain import Funding, IndexPrice, MarkPrice

_new = object.__new__


def _setter(cls: type, name: str) -> Callable[[object, object], None]:
    """The slot descriptor's ``__set__`` of field ``name`` (bypasses the frozen ``__setattr__``)."""
    return cast(Callable[[object, object], None], cls.__dict__[name].__set__)


_m_venue = _setter(MarkPrice, "venue")
_m_symbol = _setter(MarkPrice, "symbol")
_m_price = _setter(MarkPrice, "price")
_m_ts = _setter(MarkPrice, "ts")

_i_venue = _setter(IndexPrice, "venue")
_i_symbol = _setter(IndexPrice, "symbol")
_i_price = _setter(IndexPrice, "price")
_i_ts = _setter(IndexPrice, "ts")

_f_venue = _setter(Funding, "venue")
_f_symbol = _setter(Funding, "symbol")
_f_rate = _setter(Funding, "rate")
_f_predicted = _setter(Funding, "predicted_rate")
_f_next = _setter(Funding, "next_funding_time")
_f_ts = _setter(Funding, "ts")
_f_interval = _setter(Funding, "interval_hours")


def mark(venue: str, symbol: str, price: float, ts: int | None) -> MarkPrice:
    e: MarkPrice = _new(MarkPrice)
    _m_venue(e, venue)
    _m_symbol(e, symbol)
    _m_price(e, price)
    _m_ts(e, ts)
    return e


def index(venue: str, symbol: str, price: float, ts: int | None) -> IndexPrice:
    e: IndexPrice = _new(IndexPrice)
    _i_venue(e, venue)
    _i_symbol(e, symbol)
    _i_price(e, price)
    _i_ts(e, ts)
    return e


def funding(
    venue: str,
    symbol: str,
    rate: float,
    predicted_rate: float | None,
    next_funding_time: int | None,
    ts: int | None,
    interval_hours: float | None,
) -> Funding:
    e: Funding = _new(Funding)
    _f_venue(e, venue)
    _f_symbol(e, symbol)
    _f_rate(e, rate)
    _f_predicted(e, predicted_rate)
    _f_next(e, next_funding_time)
    _f_ts(e, ts)
    _f_interval(e, interval_hours)
    return e
