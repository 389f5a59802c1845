"""Orders that open or increase a position: the margin check, leverage, the averaged entry.

The books (pure) and then every venue over loopback with the independent signer of
``test_simrest_venues``: an increase fills, averages the entry harmonically and holds its initial
margin (the balance reply's available margin drops by it); one that does not fit the available
margin is refused with the venue's own code and message and executes nothing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from hedgetui.account_streams import AccountStream, watched_instrument
from hedgetui.clock import ManualClock
from hedgetui.domain import BalanceUpdate, PositionUpdate
from hedgetui.sim.private import attach_private_servers
from hedgetui.sim.rest import start_rest_server
from hedgetui.sim.rest.accounts import SimAccounts
from hedgetui.sim.rest.attach import RestSide
from hedgetui.sim.rest.listing import DEFAULT_LEVERAGE, INSTRUMENTS
from hedgetui.sim.rest.records import OrderRequest, Rejection
from hedgetui.trading.venues import make_client
from tests.account_streams.test_account_streams_sim import DEMO, FAST, until
from tests.sim.rest.test_simrest_venues import (
    COLLATERAL,
    ENTRY,
    MARK,
    VENUES,
    Client,
    Rig,
    accepted,
    open_rig,
    position_contracts,
    position_row_and_sample,
    send,
)


def _books() -> SimAccounts:
    return SimAccounts(ManualClock(1_750_000_000.0))


# -- the books ---------------------------------------------------------------------------------
def test_an_increase_needs_its_initial_margin_at_the_positions_leverage() -> None:
    books = _books()
    # a 6,000 USD short at 60,000 (0.1 BTC of value) at 10x holds 0.01 BTC; wallet 0.014
    books.set_position("bybit", "BTCUSD", -6000, 60_000.0, collateral=0.014, leverage=10)
    margin = books.margin("bybit", "BTC", 60_000.0)
    assert (margin.initial, margin.available) == pytest.approx((0.01, 0.004))
    # 2,400 more at 60,000 need 0.004 BTC: exactly what is left
    fits = books.place_order("bybit", OrderRequest("BTCUSD", "sell", 2400), 60_000.0)
    assert not isinstance(fits, Rejection) and fits.status == "filled"
    assert books.position("bybit", "BTCUSD") == -8400
    assert books.margin("bybit", "BTC", 60_000.0).available == pytest.approx(0.0, abs=1e-12)
    refused = books.place_order("bybit", OrderRequest("BTCUSD", "sell", 1), 60_000.0)
    assert isinstance(refused, Rejection) and refused.reason == "insufficient_margin"
    assert refused.required == pytest.approx(1 / 60_000 / 10)
    assert "at 10x" in refused.detail
    assert books.position("bybit", "BTCUSD") == -8400  # nothing executed
    assert len(books.orders("bybit")) == 1


def test_leverage_is_per_position_settable_and_defaults_to_the_venues() -> None:
    books = _books()
    books.set_position("okx", "ETH-USD-SWAP", -50, 2_000.0, collateral=0.5)  # 500 USD = 0.25 ETH
    assert books.leverage("okx", "ETH-USD-SWAP") == DEFAULT_LEVERAGE["okx"] == 10
    books.set_leverage("okx", "ETH-USD-SWAP", 2)  # IM 0.125 ETH, available 0.375
    lower = books.place_order("okx", OrderRequest("ETH-USD-SWAP", "sell", 160), 2_000.0)
    assert isinstance(lower, Rejection) and lower.reason == "insufficient_margin"  # needs 0.4
    books.set_leverage("okx", "ETH-USD-SWAP", 5)  # IM 0.05, available 0.45; 0.16 needed
    assert not isinstance(
        books.place_order("okx", OrderRequest("ETH-USD-SWAP", "sell", 160), 2_000.0), Rejection
    )
    with pytest.raises(ValueError, match="okx leverage must be between 1 and 125"):
        books.set_leverage("okx", "ETH-USD-SWAP", 200)
    with pytest.raises(ValueError, match="deribit leverage must be between 1 and 50"):
        books.set_position("deribit", "BTC-PERPETUAL", -1, 60_000.0, leverage=0.5)


def test_the_entry_is_the_contract_weighted_harmonic_mean_on_every_venue() -> None:
    for venue, listed in INSTRUMENTS.items():
        symbol, spec = next(iter(listed.items()))
        books = _books()
        books.fund({spec.coin: 100.0})
        lot = spec.lot_size
        books.set_position(venue, symbol, -10 * lot, 100_000.0)
        books.place_order(venue, OrderRequest(symbol, "sell", 5 * lot), 80_000.0)
        # the published OKX example: 10 contracts @100,000 then 5 @80,000 -> 92,307.69..
        assert books.position_record(venue, symbol).entry == pytest.approx(15 / (10e-5 + 5 / 8e4))
        assert books.position(venue, symbol) == -15 * lot


def test_a_flip_checks_the_margin_of_the_part_it_opens() -> None:
    books = _books()
    # a 1,000 USD short at 50,000, 20x: IM 0.001 BTC; wallet 0.002 -> 0.001 available
    books.set_position("binance", "BTCUSD_PERP", -10, 50_000.0, collateral=0.002)
    # buy 30: closes 10 (frees 0.001) and opens 20 long = 2,000 USD -> 0.002 BTC at 20x: fits
    flip = books.place_order("binance", OrderRequest("BTCUSD_PERP", "buy", 30), 50_000.0)
    assert not isinstance(flip, Rejection)
    assert books.position("binance", "BTCUSD_PERP") == 20
    # one more contract does not fit
    more = books.place_order("binance", OrderRequest("BTCUSD_PERP", "buy", 1), 50_000.0)
    assert isinstance(more, Rejection) and more.reason == "insufficient_margin"
    # a reducing order needs no margin
    assert not isinstance(
        books.place_order("binance", OrderRequest("BTCUSD_PERP", "sell", 5), 50_000.0), Rejection
    )


def test_a_resting_increase_that_no_longer_fits_is_cancelled_not_filled() -> None:
    books = _books()
    books.set_position("kraken", "PI_XBTUSD", -1000, 50_000.0, collateral=0.01, leverage=2)
    # IM 0.01: available 0 at 50,000; a short gains as the price falls, so a sell limit at
    # 40,000 is accepted (priced at its limit, 2,000 more need 0.025) only with more margin
    books.set_balance("kraken", "BTC", 0.04)
    resting = books.place_order(
        "kraken", OrderRequest("PI_XBTUSD", "sell", 2000, "limit", 60_000.0), 50_000.0
    )
    assert not isinstance(resting, Rejection) and resting.status == "new"
    books.set_balance("kraken", "BTC", 0.011)  # margin withdrawn meanwhile
    books.match_resting("kraken", lambda _s: 60_000.0)
    assert resting.status == "canceled"
    assert books.position("kraken", "PI_XBTUSD") == -1000


def test_a_resting_increase_holds_its_margin_until_it_fills_or_is_cancelled() -> None:
    books = _books()
    books.set_balance("bybit", "BTC", 0.01)  # flat; at 10x 0.01 BTC margins 6,000 USD at 60,000
    first = books.place_order(
        "bybit", OrderRequest("BTCUSD", "sell", 4800, "limit", 60_000.0, client_id="r1"), 50_000
    )
    assert not isinstance(first, Rejection) and first.status == "new"
    margin = books.margin("bybit", "BTC", 50_000.0)
    assert (margin.orders, margin.available) == pytest.approx((0.008, 0.002))
    second = OrderRequest("BTCUSD", "sell", 2400, "limit", 60_000.0, client_id="r2")
    refused = books.place_order("bybit", second, 50_000)
    assert isinstance(refused, Rejection) and refused.reason == "insufficient_margin"
    books.cancel("bybit", "r1")
    assert not isinstance(books.place_order("bybit", second, 50_000), Rejection)
    # it fills once the mark reaches it, its own reservation not counted against it
    books.match_resting("bybit", lambda _s: 60_000.0)
    assert books.position("bybit", "BTCUSD") == -2400
    assert books.margin("bybit", "BTC", 60_000.0).orders == 0


# -- over loopback, per venue ------------------------------------------------------------------
def available_margin(venue: str, reply: Any) -> float:
    """The BTC available margin as each venue's balance reply carries it."""
    if venue == "bitmex":
        return float(reply["availableMargin"]) / 1e8
    if venue == "bybit":
        row = reply["result"]["list"][0]["coin"][0]
        return float(row["equity"]) - float(row["totalPositionIM"])
    if venue == "binance":
        return float(next(r for r in reply if r["asset"] == "BTC")["availableBalance"])
    if venue == "deribit":
        return float(reply["result"]["available_funds"])
    if venue == "okx":
        return float(reply["data"][0]["details"][0]["availEq"])
    return float(reply["accounts"]["fi_xbtusd"]["auxiliary"]["af"])


def position_leverage(venue: str, reply: Any) -> float | None:
    if venue == "kraken":
        return None  # openpositions carries no leverage
    row, _ = position_row_and_sample(venue, reply)
    return float(row["lever" if venue == "okx" else "leverage"])


@pytest.mark.parametrize("name", list(VENUES))
async def test_an_increase_over_rest_averages_the_entry_and_holds_margin(name: str) -> None:
    async with open_rig(name) as rig:
        await _increase(rig)


async def _increase(rig: Rig) -> None:
    v = rig.venue
    response = await send(rig, v.order("more-1", "sell", v.qty, None, False))
    assert accepted(v.name, response), response.text
    after = v.seed - v.qty
    assert rig.accounts.position(v.name, v.symbol) == after
    entry = abs(after) / (abs(v.seed) / ENTRY + v.qty / MARK)
    assert rig.accounts.position_record(v.name, v.symbol).entry == pytest.approx(entry)
    assert rig.accounts.balance(v.name, "BTC") == COLLATERAL  # no fees: the wallet is unchanged

    position = (await send(rig, v.position)).json()
    assert position_contracts(v.name, position) == after
    assert position_leverage(v.name, position) in (None, DEFAULT_LEVERAGE[v.name])
    usd = abs(after) * v.contract_size
    upnl = usd * (1 / MARK - 1 / entry)  # a short gains as the price falls
    im = usd / (entry * DEFAULT_LEVERAGE[v.name])
    balance = (await send(rig, v.balance)).json()
    assert available_margin(v.name, balance) == pytest.approx(COLLATERAL + upnl - im, abs=2e-8)


REFUSALS: dict[str, Callable[[httpx.Response, Any], bool]] = {
    "bitmex": lambda r, b: (
        r.status_code == 400
        and b
        == {
            "error": {
                "message": "Account has insufficient Available Balance, 50000 XBt required",
                "name": "ValidationError",
            }
        }
    ),
    "bybit": lambda r, b: (b["retCode"], b["retMsg"]) == (110007, "Insufficient available balance"),
    "binance": lambda r, b: (
        r.status_code == 400 and b == {"code": -2019, "msg": "Margin is insufficient."}
    ),
    "deribit": lambda r, b: (
        r.status_code == 400 and b["error"] == {"message": "not_enough_funds", "code": 10009}
    ),
    "okx": lambda r, b: (
        b["code"] == "1"
        and b["msg"] == "All operations failed"
        and (b["data"][0]["sCode"], b["data"][0]["sMsg"], b["data"][0]["clOrdId"])
        == ("51008", "Order failed. Insufficient BTC margin in account", "too-much")
    ),
    "kraken": lambda r, b: (
        b["result"] == "success" and b["sendStatus"]["status"] == "insufficientAvailableFunds"
    ),
}


@pytest.mark.parametrize("name", list(VENUES))
async def test_an_increase_beyond_the_margin_gets_the_venues_refusal(name: str) -> None:
    async with open_rig(name) as rig:
        v = rig.venue
        # at the entry (no PnL) with a wallet of exactly the position's initial margin
        usd = abs(v.seed) * v.contract_size
        rig.accounts.set_position(
            v.name, v.symbol, v.seed, MARK, collateral=usd / (MARK * 50), leverage=50
        )
        response = await send(rig, v.order("too-much", "sell", v.qty, None, False))
        body = response.json()
        assert REFUSALS[v.name](response, body), (response.status_code, body)
        assert rig.accounts.position(v.name, v.symbol) == v.seed
        assert rig.accounts.orders(v.name) == []
        # the same order after a deposit of its margin goes through
        rig.accounts.set_balance(v.name, "BTC", (usd + v.qty * v.contract_size) / (MARK * 50))
        again = await send(rig, v.order("enough", "sell", v.qty, None, False))
        assert accepted(v.name, again), again.text
        assert rig.accounts.position(v.name, v.symbol) == v.seed - v.qty


# -- the account stream pushes the result ------------------------------------------------------
@pytest.mark.parametrize("name", list(VENUES))
async def test_the_account_stream_pushes_the_increased_position(name: str) -> None:
    """hedgetui's own account stream (the reader the dashboard uses) sees the new size and
    the averaged entry after a signed increase over REST, as it does after a reduce."""
    v = VENUES[name]
    books = SimAccounts()  # the wall clock: hedgetui's stream signs its login with it
    books.set_position(v.name, v.symbol, v.seed, ENTRY, collateral=COLLATERAL)
    server = await start_rest_server(v.name, accounts=books, mark=lambda _s: MARK)
    rest = RestSide(books, {v.name: server})
    private = await attach_private_servers(rest, push_interval_s=0.02)
    venue_client = make_client(v.name, DEMO, base_url=server.url, timeout_s=2.0)
    got: list[PositionUpdate | BalanceUpdate] = []
    stream = AccountStream(
        venue_client,
        [watched_instrument(v.name, v.symbol)],
        got.append,
        url=private.url(v.name),
        config=FAST,
    )
    task = asyncio.create_task(stream.run())
    after = v.seed - v.qty
    try:
        await until(lambda: any(_size(e) == v.seed for e in got))
        async with httpx.AsyncClient(base_url=server.url) as http:
            signer = Client(v.name, http, ManualClock(time.time()))
            response = await signer.call(*v.order("stream-1", "sell", v.qty, None, False))
        assert accepted(v.name, response), response.text
        await until(lambda: any(_size(e) == after for e in got))
        pushed = next(e for e in got if isinstance(e, PositionUpdate) and e.contracts == after)
        entry = abs(after) / (abs(v.seed) / ENTRY + v.qty / MARK)
        assert pushed.entry_price == pytest.approx(entry, rel=1e-9)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await venue_client.aclose()
        await private.close()
        await rest.close()


def _size(event: PositionUpdate | BalanceUpdate) -> float | None:
    return event.contracts if isinstance(event, PositionUpdate) else None
