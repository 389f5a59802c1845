"""The store's carry figures: from the funding history it is given, per hedge, recomputed when the
history, the position or the minute changes, never on every frame."""

from __future__ import annotations

from datetime import date

import pytest

from hedgetui.clock import ManualClock
from hedgetui.config import HedgeSettings, ManualPosition, Settings
from hedgetui.domain import Funding, IndexPrice, MarkPrice
from hedgetui.history.carry import HOUR_MS
from hedgetui.history.model import FundingPayment, FundingRecord, FundingSeries
from hedgetui.store import Store

NOW_S = 1_700_006_400  # 2023-11-15 00:00 UTC
NOW_MS = NOW_S * 1000


def _store(**hedge: object) -> tuple[Store, ManualClock]:
    position = ManualPosition(side="short", contracts=100_000, entry=40_000, collateral=3.0)
    settings = Settings(
        hedges=(
            HedgeSettings(
                name="btc",
                coin="BTC",
                venue="bitmex",
                symbol="XBTUSD",
                position=position,
                **hedge,  # type: ignore[arg-type]
            ),
        )
    )
    clock = ManualClock(NOW_S)
    return Store(settings, clock=clock), clock


def _series(rate: float, count: int = 90) -> FundingSeries:
    series = FundingSeries()
    series.merge(FundingRecord(NOW_MS - i * 8 * HOUR_MS, rate, 8) for i in range(count))
    return series


def test_no_history_no_carry_then_figures_for_the_position() -> None:
    store, _ = _store()
    store.apply(MarkPrice("bitmex", "XBTUSD", 40_000.0, NOW_MS))
    assert store.snapshot().hedges[0].carry is None
    store.set_funding_history("bitmex", "XBTUSD", _series(0.0001))
    carry = store.snapshot().hedges[0].carry
    assert carry is not None
    week = carry.window("7d")
    assert week is not None and week.usd == 0.0001 * 100_000 * 21
    assert week.coin == week.usd / 40_000.0
    assert carry.since is not None and not carry.since_configured


def test_recomputed_on_a_history_update_not_on_every_frame() -> None:
    store, clock = _store()
    store.apply(MarkPrice("bitmex", "XBTUSD", 40_000.0, NOW_MS))
    store.set_funding_history("bitmex", "XBTUSD", _series(0.0001))
    first = store.snapshot().hedges[0].carry
    for i in range(20):  # frames within the minute: the same figures object
        clock.advance(0.5)
        store.apply(MarkPrice("bitmex", "XBTUSD", 40_000.0 + i, NOW_MS + i))
        assert store.snapshot().hedges[0].carry is first
    store.set_funding_history("bitmex", "XBTUSD", _series(-0.0002))
    second = store.snapshot().hedges[0].carry
    assert second is not first and second is not None
    week = second.window("7d")
    assert week is not None and week.usd < 0
    clock.advance(60)  # a new minute: the trailing windows move
    store.apply(MarkPrice("bitmex", "XBTUSD", 40_000.0, NOW_MS + 60_000))
    assert store.snapshot().hedges[0].carry is not second


def test_a_funding_rate_jitter_waits_for_the_minute_a_real_move_does_not() -> None:
    """A venue's predicted rate moves on every tick: the projections follow a move of a
    millionth or more at once, and the jitter below it at the next minute."""
    store, clock = _store()
    store.apply(MarkPrice("bitmex", "XBTUSD", 40_000.0, NOW_MS))
    store.set_funding_history("bitmex", "XBTUSD", _series(0.0001))
    rate_at = NOW_MS + 4 * HOUR_MS
    store.apply(Funding("bitmex", "XBTUSD", 0.0001, None, rate_at, NOW_MS))
    first = store.snapshot().hedges[0].carry
    for i in range(1, 10):  # 0.0001 + i * 1e-8: below a millionth
        clock.advance(0.5)
        store.apply(Funding("bitmex", "XBTUSD", 0.0001 + i * 1e-8, None, rate_at, NOW_MS + i))
        assert store.snapshot().hedges[0].carry is first
    store.apply(Funding("bitmex", "XBTUSD", 0.0003, None, rate_at, NOW_MS + 20))
    moved = store.snapshot().hedges[0].carry
    assert moved is not first and moved is not None
    before, after = first and first.projection(30), moved.projection(30)
    assert before is not None and after is not None
    assert after.usd == pytest.approx(3 * before.usd)


def test_carry_since_the_configured_date_and_realised_payments_for_an_account() -> None:
    store, _ = _store(carry_since=date(2023, 11, 10))
    store.apply(MarkPrice("bitmex", "XBTUSD", 40_000.0, NOW_MS))
    store.set_funding_history("bitmex", "XBTUSD", _series(0.0001))
    carry = store.snapshot().hedges[0].carry
    assert carry is not None and carry.since is not None and carry.since_configured
    assert carry.since.events == 15  # Nov 10 04:00 ... Nov 15 00:00, every 8 h
    # payments are the account's: a hand-entered position has none
    store.set_funding_payments("acct", "XBTUSD", [FundingPayment(NOW_MS, 1.0, "XBT", "XBTUSD")])
    carry = store.snapshot().hedges[0].carry
    assert carry is not None and carry.since is not None and carry.since.source == "estimate"


def test_basis_history_one_point_a_second() -> None:
    store, clock = _store()
    store.apply(IndexPrice("bitmex", "XBTUSD", 40_000.0, NOW_MS))
    for _ in range(3):
        store.apply(MarkPrice("bitmex", "XBTUSD", 40_020.0, NOW_MS))
        store.apply(MarkPrice("bitmex", "XBTUSD", 40_020.0, NOW_MS))
        clock.advance(1)
    assert store.basis_history("btc") == (5.0, 5.0, 5.0)
    store.set_funding_history("bitmex", "XBTUSD", FundingSeries(), status="error: refused")
    assert store.funding_history_status("btc") == "error: refused"
