"""Injected faults as a plain httpx client sees them, on every venue: reject, lost_reply,
timeout, http_500, rate_limit; counted; only order requests consume them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from hedgetui.sim.rest import SimAccounts
from tests.sim.rest.test_simrest_venues import (
    VENUES,
    accepted,
    client_id,
    filled_qty,
    open_rig,
    order_of,
    send,
)

ALL = list(VENUES)

THROTTLED: dict[str, Callable[[httpx.Response, Any], bool]] = {
    "bitmex": lambda r, b: (
        r.status_code == 429
        and b["error"]["name"] == "RateLimitError"
        and r.headers["X-RateLimit-Remaining"] == "0"
    ),
    "bybit": lambda r, b: (
        (b["retCode"], b["retMsg"]) == (10006, "Too many visits!")
        and "X-Bapi-Limit-Status" in r.headers
    ),
    "binance": lambda r, b: r.status_code == 429 and b["code"] == -1003,
    "deribit": lambda r, b: b["error"] == {"message": "too_many_requests", "code": 10028},
    "okx": lambda r, b: r.status_code == 429 and b == {"msg": "Too Many Requests", "code": "50011"},
    "kraken": lambda r, b: b["result"] == "error" and b["error"] == "apiLimitExceeded",
}

REJECTED: dict[str, Callable[[httpx.Response, Any], bool]] = {
    "bitmex": lambda r, b: r.status_code == 400 and "insufficient" in b["error"]["message"],
    "bybit": lambda r, b: b["retCode"] == 110007,
    "binance": lambda r, b: r.status_code == 400 and b["code"] == -2019,
    "deribit": lambda r, b: b["error"]["message"] == "not_enough_funds",
    "okx": lambda r, b: b["code"] == "1" and b["data"][0]["sCode"] == "51008",
    "kraken": lambda r, b: b["sendStatus"]["status"] == "insufficientAvailableFunds",
}


def _untouched(accounts: SimAccounts, venue: str) -> bool:
    spec = VENUES[venue]
    return accounts.orders(venue) == [] and accounts.position(venue, spec.symbol) == spec.seed


@pytest.mark.parametrize("venue", ALL)
async def test_reject_returns_the_venues_refusal_and_executes_nothing(venue: str) -> None:
    async with open_rig(venue) as rig:
        rig.accounts.inject(venue, "reject")
        response = await send(rig, rig.venue.order("r-1", "buy", rig.venue.qty, None, True))
        assert REJECTED[venue](response, response.json()), response.text
        assert _untouched(rig.accounts, venue)


@pytest.mark.parametrize("venue", ALL)
async def test_rate_limit_returns_the_venues_throttle_reply(venue: str) -> None:
    async with open_rig(venue) as rig:
        rig.accounts.inject(venue, "rate_limit")
        response = await send(rig, rig.venue.order("t-1", "buy", rig.venue.qty, None, True))
        assert THROTTLED[venue](response, response.json()), (response.status_code, response.text)
        assert _untouched(rig.accounts, venue)


@pytest.mark.parametrize("venue", ALL)
async def test_http_500_is_a_bare_server_error_and_executes_nothing(venue: str) -> None:
    async with open_rig(venue) as rig:
        rig.accounts.inject(venue, "http_500")
        response = await send(rig, rig.venue.order("e-1", "buy", rig.venue.qty, None, True))
        assert response.status_code == 500
        assert response.headers["content-type"].startswith("text/html")
        assert _untouched(rig.accounts, venue)


@pytest.mark.parametrize("venue", ALL)
async def test_lost_reply_drops_the_connection_but_the_order_exists(venue: str) -> None:
    async with open_rig(venue) as rig:
        v = rig.venue
        rig.accounts.inject(venue, "lost_reply")
        with pytest.raises(httpx.RemoteProtocolError):
            await send(rig, v.order("lost-1", "buy", v.qty, None, True))
        # the client's retry-safe path: look the order up by its client id
        row = order_of(venue, (await send(rig, v.lookup("lost-1"))).json())
        assert client_id(venue, row) == "lost-1"
        assert filled_qty(venue, row) == v.qty
        assert rig.accounts.position(venue, v.symbol) == v.seed + v.qty


@pytest.mark.parametrize("venue", ["bybit", "okx"])
async def test_timeout_executes_then_replies_too_late_for_the_client(venue: str) -> None:
    async with open_rig(venue, http_timeout=0.05) as rig:
        v = rig.venue
        rig.accounts.inject(venue, "timeout", delay=0.5)
        with pytest.raises(httpx.ReadTimeout):
            await send(rig, v.order("slow-1", "buy", v.qty, None, True))
        assert rig.accounts.position(venue, v.symbol) == v.seed + v.qty
        row = order_of(venue, (await send(rig, v.lookup("slow-1"))).json())
        assert filled_qty(venue, row) == v.qty


async def test_timeout_reply_arrives_after_the_delay_for_a_patient_client() -> None:
    async with open_rig("binance", http_timeout=5.0) as rig:
        v = rig.venue
        rig.accounts.inject("binance", "timeout", delay=0.05)
        response = await send(rig, v.order("slow-2", "buy", v.qty, None, True))
        assert accepted("binance", response)
        assert response.json()["status"] == "FILLED"


async def test_count_and_only_order_requests_consume_faults() -> None:
    async with open_rig("kraken") as rig:
        v = rig.venue
        rig.accounts.inject("kraken", "http_500", count=2)
        assert (await send(rig, v.position)).status_code == 200  # not an order request
        assert rig.accounts.pending_faults("kraken") == 2
        for attempt in range(2):
            failed = await send(rig, v.order(f"c-{attempt}", "buy", v.qty, None, True))
            assert failed.status_code == 500
        ok = await send(rig, v.order("c-2", "buy", v.qty, None, True))
        assert accepted("kraken", ok)
        assert [o["client_id"] for o in rig.accounts.orders("kraken")] == ["c-2"]


def test_bad_fault_arguments_are_refused_with_a_clear_message() -> None:
    accounts = SimAccounts()
    with pytest.raises(ValueError, match="unknown fault 'explode'"):
        accounts.inject("bybit", "explode")
    with pytest.raises(ValueError, match="unknown venue 'ftx'"):
        accounts.inject("ftx", "reject")
    with pytest.raises(ValueError, match="count must be >= 1"):
        accounts.inject("okx", "reject", count=0)
