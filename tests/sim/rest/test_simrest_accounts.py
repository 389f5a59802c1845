"""The simulated books: inverse PnL, harmonic entry, flips, reduce-only, lots, client-id scopes."""

from __future__ import annotations

import pytest

from hedgetui.clock import ManualClock
from hedgetui.sim.rest.accounts import SimAccounts
from hedgetui.sim.rest.records import OrderRequest, Rejection, inverse_pnl


def _books() -> SimAccounts:
    return SimAccounts(ManualClock(1_750_000_000.0))


def _funded() -> SimAccounts:
    """Books whose wallets can margin new positions (an empty wallet opens nothing)."""
    books = _books()
    books.fund()
    return books


def test_inverse_pnl_matches_the_textbook_formula() -> None:
    # short 10,000 USD from 60,000 closed at 48,000: 10000 * (1/48000 - 1/60000) = 0.041666.. BTC
    assert inverse_pnl(10_000, 60_000, 48_000, -1) == pytest.approx(
        10_000 / 48_000 - 10_000 / 60_000
    )
    assert inverse_pnl(10_000, 60_000, 48_000, +1) < 0  # a long loses when the price falls


def test_closing_part_of_a_short_credits_realised_pnl_in_coin() -> None:
    books = _books()
    books.set_position("okx", "BTC-USD-SWAP", -30, 60_000.0, collateral=1.0)
    order = books.place_order(
        "okx", OrderRequest("BTC-USD-SWAP", "buy", 10, reduce_only=True), 50_000
    )
    assert not isinstance(order, Rejection)
    assert (order.status, order.filled, order.avg_price) == ("filled", 10, 50_000)
    assert books.position("okx", "BTC-USD-SWAP") == -20
    expected = 1.0 + 10 * 100 * (1 / 50_000 - 1 / 60_000)  # OKX contract = 100 USD
    assert books.balance("okx", "BTC") == pytest.approx(expected)
    assert books.position_record("okx", "BTC-USD-SWAP").entry == 60_000.0  # unchanged by a close


def test_adding_to_a_position_averages_the_entry_harmonically() -> None:
    books = _books()
    books.set_position("bybit", "BTCUSD", 1000, 40_000.0)
    books.place_order("bybit", OrderRequest("BTCUSD", "buy", 1000), 60_000)
    # 2000 USD bought for 1000/40000 + 1000/60000 BTC -> entry 2000 / that = 48,000
    assert books.position_record("bybit", "BTCUSD").entry == pytest.approx(48_000.0)


def test_a_plain_order_may_flip_the_position_and_reopens_at_the_fill() -> None:
    books = _books()
    books.set_position("kraken", "PI_XBTUSD", -100, 50_000.0, collateral=0.5)
    books.place_order("kraken", OrderRequest("PI_XBTUSD", "buy", 300), 40_000)
    record = books.position_record("kraken", "PI_XBTUSD")
    assert (record.contracts, record.entry) == (200, 40_000)
    assert books.balance("kraken", "BTC") == pytest.approx(0.5 + 100 * (1 / 40_000 - 1 / 50_000))


def test_reduce_only_rules() -> None:
    books = _books()
    books.set_position("binance", "BTCUSD_PERP", -5, 60_000.0)
    for req in (
        OrderRequest("BTCUSD_PERP", "sell", 1, reduce_only=True),  # would grow the short
        OrderRequest("BTCUSD_PERP", "buy", 6, reduce_only=True),  # would flip it
    ):
        result = books.place_order("binance", req, 50_000)
        assert isinstance(result, Rejection) and result.reason == "reduce_only"
    assert books.position("binance", "BTCUSD_PERP") == -5
    closed = books.place_order(
        "binance", OrderRequest("BTCUSD_PERP", "buy", 5, reduce_only=True), 1
    )
    assert not isinstance(closed, Rejection)
    assert books.position("binance", "BTCUSD_PERP") == 0
    assert books.position_record("binance", "BTCUSD_PERP").entry == 0


def test_lot_size_and_unknown_symbol() -> None:
    books = _books()
    for qty in (150, 0, -100):
        result = books.place_order("bitmex", OrderRequest("XBTUSD", "buy", qty), 50_000)
        assert isinstance(result, Rejection) and result.reason == "lot_size"
    result = books.place_order("bitmex", OrderRequest("ETHUSD", "buy", 100), 3_000)
    assert isinstance(result, Rejection) and result.reason == "unknown_symbol"


@pytest.mark.parametrize(
    ("venue", "symbol", "reusable_after_fill"),
    [("bitmex", "XBTUSD", False), ("bybit", "BTCUSD", False), ("kraken", "PI_XBTUSD", False),
     ("binance", "BTCUSD_PERP", True), ("okx", "BTC-USD-SWAP", True),
     ("deribit", "BTC-PERPETUAL", True)],
)  # fmt: skip
def test_client_id_uniqueness_scope(venue: str, symbol: str, reusable_after_fill: bool) -> None:
    books = _funded()
    qty = 100 if venue == "bitmex" else 1
    books.place_order(venue, OrderRequest(symbol, "buy", qty, client_id="same"), 50_000)
    again = books.place_order(venue, OrderRequest(symbol, "buy", qty, client_id="same"), 50_000)
    assert isinstance(again, Rejection) != reusable_after_fill


def test_open_orders_block_a_reused_id_on_binance_and_okx() -> None:
    books = _funded()
    resting = OrderRequest("BTC-USD-SWAP", "buy", 1, "limit", 30_000, client_id="id1")
    assert not isinstance(books.place_order("okx", resting, 50_000), Rejection)
    again = books.place_order("okx", resting, 50_000)
    assert isinstance(again, Rejection) and again.reason == "duplicate_client_id"


def test_ioc_limit_that_cannot_fill_is_cancelled_and_gtc_rests() -> None:
    books = _funded()
    ioc = OrderRequest("BTCUSD", "buy", 10, "limit", 40_000, time_in_force="IOC")
    gtc = OrderRequest("BTCUSD", "buy", 10, "limit", 40_000)
    first, second = (books.place_order("bybit", r, 50_000) for r in (ioc, gtc))
    assert not isinstance(first, Rejection) and first.status == "canceled"
    assert not isinstance(second, Rejection) and second.status == "new"
    books.match_resting("bybit", lambda _s: 45_000.0)
    assert second.status == "new"
    books.match_resting("bybit", lambda _s: 39_000.0)
    assert (second.status, second.avg_price) == ("filled", 39_000.0)
    assert books.position("bybit", "BTCUSD") == 10


def test_resting_reduce_only_order_is_cancelled_once_nothing_is_left_to_reduce() -> None:
    books = _books()
    books.set_position("bybit", "BTCUSD", -10, 60_000.0)
    resting = books.place_order(
        "bybit", OrderRequest("BTCUSD", "buy", 10, "limit", 40_000, reduce_only=True), 50_000
    )
    books.place_order("bybit", OrderRequest("BTCUSD", "buy", 10, reduce_only=True), 50_000)
    books.match_resting("bybit", lambda _s: 39_000.0)
    assert not isinstance(resting, Rejection) and resting.status == "canceled"
    assert books.position("bybit", "BTCUSD") == 0


def test_seeding_defaults_collateral_to_the_notional_and_checks_input() -> None:
    books = _books()
    books.set_position("deribit", "BTC-PERPETUAL", -100, 50_000.0)  # 100 x 10 USD
    assert books.balance("deribit", "BTC") == pytest.approx(1000 / 50_000)
    with pytest.raises(ValueError, match="does not list 'BTCUSD'"):
        books.set_position("deribit", "BTCUSD", -1, 50_000.0)
    with pytest.raises(ValueError, match="entry price must be > 0"):
        books.set_position("deribit", "BTC-PERPETUAL", -1, 0.0)


def test_order_log_is_a_copy() -> None:
    books = _funded()
    books.place_order("bybit", OrderRequest("BTCUSD", "buy", 5, client_id="x"), 50_000)
    log = books.orders("bybit")
    log[0]["status"] = "tampered"
    assert books.orders("bybit")[0]["status"] == "filled"
    assert books.find_by_client_id("bybit", "x")[0].qty == 5
