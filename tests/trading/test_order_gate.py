"""Issue 17 items 2 and 3: the order gate every order passes, over loopback on all six venues.

A read-only account (``permissions = "read"``, the default) is refused before anything is sent
and the simulator's book stays empty; a key the venue itself calls read-only is refused with the
venue's words; a limit price at or below zero or too far from the mark is refused by the planner,
again by the gate, and by the simulator as each venue does.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from hedgetui.clock import ManualClock
from hedgetui.config import AccountSettings, HedgeSettings, Settings, TradingSettings
from hedgetui.config.model import ConfigError
from hedgetui.config.parse import parse_settings
from hedgetui.runtime.accounts import account_client
from hedgetui.runtime.unwind import service_for_store
from hedgetui.sim.rest import SimAccounts, start_rest_server
from hedgetui.trading.audit import AuditLog
from hedgetui.trading.broker import Broker
from hedgetui.trading.order_gate import account_refusal, order_refusal
from hedgetui.trading.orders import KeyPermissions, OrderRequest
from hedgetui.trading.planner import (
    PlanError,
    UnwindPlan,
    UnwindRequest,
    new_client_order_id,
    plan_unwind,
)
from hedgetui.trading.service import Refused
from hedgetui.trading.venues import VenueClient, make_client
from tests.sim.rest.test_simrest_venues import VENUES as RAW_VENUES
from tests.sim.rest.test_simrest_venues import open_rig, send
from tests.trading.test_trading_sim import ENTRY, MARK, demo_credentials, instrument, no_sleep
from tests.ui.test_unwind_screen import manual_store

VENUES = ["bitmex", "bybit", "binance", "deribit", "okx", "kraken"]
KEY_INFO_VENUES = ["bitmex", "bybit", "deribit", "okx"]  # venues that report a key's permissions


def order(**changes: object) -> OrderRequest:
    base = OrderRequest("okx", "BTC-USD-SWAP", "sell", 5.0, 100.0, "limit", "hu1", price=59_000.0)
    return dataclasses.replace(base, **changes)


# --------------------------------------------------------------------------- pure checks


def test_a_read_only_account_is_refused_with_the_way_to_allow_it() -> None:
    reason = account_refusal("main", "read")
    assert reason is not None
    assert "'main'" in reason and 'permissions = "trade"' in reason and "nothing was sent" in reason
    assert account_refusal("main", "trade") is None


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"contracts": 0.0}, "quantity"),
        ({"contracts": -5.0}, "quantity"),
        ({"contracts": math.nan}, "quantity"),
        ({"contracts": math.inf}, "quantity"),
        ({"contract_size": 0.0}, "contract size"),
        ({"price": -60_012.0}, "limit price"),
        ({"price": 0.0}, "limit price"),
        ({"price": math.nan}, "limit price"),
        ({"price": math.inf}, "limit price"),
        ({"price": None}, "limit price"),
        ({"order_type": "market", "price": 1.0}, "market order carries no price"),
    ],
)
def test_malformed_orders_are_refused(changes: dict[str, object], words: str) -> None:
    reason = order_refusal(order(**changes))
    assert reason is not None and words in reason


def test_a_well_formed_order_passes() -> None:
    assert order_refusal(order()) is None
    assert order_refusal(order(order_type="market", price=None)) is None


# --------------------------------------------------------------------------- limit offset bound


def _plan(offset_bps: float, *, max_bps: float = 300.0, mark: float = 60_000.0) -> float:
    plan = plan_unwind(
        hedge="h",
        instrument=instrument("bybit"),
        position=1_000.0,
        mark=mark,
        request=UnwindRequest(fraction=0.5, limit_offset_bps=offset_bps),
        client_order_id="hu1",
        max_limit_offset_bps=max_bps,
    )
    assert plan.order.price is not None
    return plan.order.price


def test_the_issues_20000_bps_limit_is_refused_with_the_numbers() -> None:
    with pytest.raises(PlanError) as info:
        _plan(20_000)
    text = str(info.value)
    assert "a sell limit 20000 bps from the mark 60,000.00" in text
    assert "-60,000.00" in text and "above zero" in text
    with pytest.raises(PlanError, match=r"above zero"):
        _plan(10_000, max_bps=1e9)  # exactly zero is refused too


def test_a_limit_further_than_the_maximum_is_refused() -> None:
    assert _plan(300) == 58_200.0  # 3% is the default maximum: allowed
    assert _plan(300, mark=60_012.0) == 58_211.5  # rounded a part of a tick further: allowed
    with pytest.raises(
        PlanError, match=r"bps from the mark .* trading\.max_limit_offset_bps \(300\)"
    ):
        _plan(301)
    assert _plan(301, max_bps=500) < 58_200.0
    for bad in (math.nan, math.inf, -1.0):
        with pytest.raises(PlanError, match="limit offset must be a number >= 0"):
            _plan(bad)


def test_max_limit_offset_bps_is_a_trading_key_with_limits() -> None:
    assert TradingSettings().max_limit_offset_bps == 300.0
    parsed = parse_settings("[trading]\nmax_limit_offset_bps = 50\n")
    assert parsed.trading.max_limit_offset_bps == 50.0
    for bad in ("0", "-5", "10000", "true"):
        with pytest.raises(ConfigError, match="max_limit_offset_bps"):
            parse_settings(f"[trading]\nmax_limit_offset_bps = {bad}\n")


def test_the_service_applies_the_configured_maximum(tmp_path: Path) -> None:
    clock = ManualClock()
    settings, store = manual_store(clock)
    trading = TradingSettings(max_limit_offset_bps=50)
    settings = dataclasses.replace(settings, trading=trading)
    audit = AuditLog(tmp_path / "a.jsonl", clock=clock)
    svc = service_for_store(settings, store, client=None, audit=audit, clock=clock)
    assert svc.plan("core", UnwindRequest(fraction=0.5, limit_offset_bps=50)).order.price
    with pytest.raises(PlanError, match=r"max_limit_offset_bps \(50\)"):
        svc.plan("core", UnwindRequest(fraction=0.5, limit_offset_bps=60))


# --------------------------------------------------------------------------- over loopback


@asynccontextmanager
async def venue_rig(
    venue: str, permissions: str, accounts: SimAccounts | None = None
) -> AsyncIterator[tuple[SimAccounts, VenueClient, float]]:
    """The simulator's REST side for ``venue`` with a seeded short, and the client that
    ``account_client`` builds for an account with ``permissions``."""
    inst = instrument(venue)
    books = accounts or SimAccounts()
    start = -40 * inst.lot_size * (100 if inst.lot_size == 1 and inst.contract_size == 1 else 1)
    books.set_position(venue, inst.symbol, start, ENTRY, collateral=1.0)
    server = await start_rest_server(venue, accounts=books, mark=lambda symbol: MARK)
    hedge = HedgeSettings(name="h", coin="BTC", venue=venue, symbol=inst.symbol, account="acct")
    account = AccountSettings(name="acct", venue=venue, permissions=permissions)
    settings = Settings(hedges=(hedge,), accounts=(account,))
    settings = dataclasses.replace(
        settings,
        venues={
            **settings.venues,
            venue: dataclasses.replace(settings.venues[venue], rest_url=server.url),
        },
    )
    client = account_client(settings, hedge, credentials=demo_credentials())
    assert client is not None
    try:
        yield books, client, start
    finally:
        await client.aclose()
        await server.close()


def plan_for(venue: str, position: float, offset_bps: float | None = None) -> UnwindPlan:
    return plan_unwind(
        hedge="h",
        instrument=instrument(venue),
        position=position,
        mark=MARK,
        request=UnwindRequest(fraction=0.5, limit_offset_bps=offset_bps),
        client_order_id=new_client_order_id(venue),
    )


@pytest.mark.parametrize("venue", VENUES)
async def test_a_read_only_accounts_unwind_is_refused_and_nothing_reaches_the_book(
    venue: str, tmp_path: Path
) -> None:
    async with venue_rig(venue, "read") as (books, client, start):
        assert client.permissions == "read"  # from the account's config, via account_client
        audit = AuditLog(tmp_path / "audit.jsonl")
        plan = plan_for(venue, start)
        result = await Broker(client, audit, sleep=no_sleep).run(plan)
        assert result.status == "rejected" and not result.ok
        assert "account 'acct' is read-only" in (result.error or "")
        assert 'permissions = "trade"' in result.summary()
        assert books.orders(venue) == []
        assert books.position(venue, instrument(venue).symbol) == start
        events = [e["event"] for e in audit.read()]
        assert events == ["refused", "result"]


@pytest.mark.parametrize("venue", KEY_INFO_VENUES)
async def test_a_key_the_venue_calls_read_only_is_refused_in_its_words(
    venue: str, tmp_path: Path
) -> None:
    books = SimAccounts()
    books.set_read_only(venue)
    async with venue_rig(venue, "trade", books) as (_, client, start):
        audit = AuditLog(tmp_path / "audit.jsonl")
        result = await Broker(client, audit, sleep=no_sleep).run(plan_for(venue, start))
        assert result.status == "rejected"
        said = {
            "bybit": "readOnly: 1",
            "okx": 'perm "read_only"',
            "bitmex": "permissions: []",
            "deribit": 'scope "trade:read"',
        }
        assert f"{venue} says the API key of account 'acct' cannot trade" in (result.error or "")
        assert said[venue] in (result.error or "")
        assert books.orders(venue) == []
        assert [e["event"] for e in audit.read()] == ["refused", "result"]


@pytest.mark.parametrize("venue", KEY_INFO_VENUES)
async def test_a_trading_key_is_asked_once_and_trades(venue: str, tmp_path: Path) -> None:
    async with venue_rig(venue, "trade") as (books, client, start):
        report = await client.key_permissions()
        assert report is not None and report.can_trade and report.venue == venue
        result = await Broker(client, AuditLog(tmp_path / "a.jsonl"), sleep=no_sleep).run(
            plan_for(venue, start)
        )
        assert result.status == "filled", result.summary()
        assert len(books.orders(venue)) == 1


@pytest.mark.parametrize("venue", VENUES)
async def test_the_simulators_read_only_key_cannot_trade_even_past_the_gate(venue: str) -> None:
    """Defence in depth: the simulated venue itself refuses orders of a read-only key."""
    async with open_rig(venue) as rig:
        rig.accounts.set_read_only(venue)
        v = rig.venue
        response = await send(rig, v.order("ro-1", "buy", v.qty, None, True))
        assert response.status_code in (200, 400, 401, 403), response.text
        assert rig.accounts.orders(venue) == [] and rig.accounts.position(venue, v.symbol) == v.seed


NON_POSITIVE = {  # each venue's own refusal of a limit price at or below zero
    "bitmex": lambda r, b: r.status_code == 400 and b["error"]["message"] == "Invalid price",
    "bybit": lambda r, b: b["retCode"] == 10001 and "price" in b["retMsg"],
    "binance": lambda r, b: r.status_code == 400 and b["code"] == -4013,
    "deribit": lambda r, b: b["error"]["code"] == -32602 and b["error"]["data"]["param"] == "price",
    "okx": lambda r, b: b["code"] == "1" and b["data"][0]["sCode"] == "51000",
    "kraken": lambda r, b: b["sendStatus"]["status"] == "invalidPrice",
}


@pytest.mark.parametrize("venue", VENUES)
@pytest.mark.parametrize("price", ["-60012", "0"])
async def test_the_simulator_rejects_non_positive_prices_as_the_venue_does(
    venue: str, price: str
) -> None:
    async with open_rig(venue) as rig:
        v = RAW_VENUES[venue]
        response = await send(rig, v.order("px-1", "sell", v.qty, price, False))
        assert NON_POSITIVE[venue](response, response.json()), response.text
        assert rig.accounts.orders(venue) == []


async def test_the_service_says_read_only_before_the_preview(tmp_path: Path) -> None:
    clock = ManualClock()
    settings, store = manual_store(clock)
    settings = dataclasses.replace(settings, trading=TradingSettings(enabled=True))
    audit = AuditLog(tmp_path / "a.jsonl", clock=clock)
    client = make_client(
        "bitmex", demo_credentials(), base_url="http://127.0.0.1:9", account="main"
    )
    try:
        svc = service_for_store(settings, store, client=client, audit=audit, clock=clock)
        with pytest.raises(Refused, match=r"account 'main' is read-only .*permissions = \"trade\""):
            svc.plan("core", UnwindRequest(fraction=0.5))
        client.permissions = "trade"
        assert svc.plan("core", UnwindRequest(fraction=0.5)).order.contracts == 150_000
    finally:
        await client.aclose()


VENUE_SAYS_NO = {  # the venue's own refusal of an order sent with a read-only key
    "binance": "Invalid API-key, IP, or permissions for action.",
    "kraken": "authenticationError",
}


@pytest.mark.parametrize("venue", sorted(VENUE_SAYS_NO))
async def test_where_the_venue_reports_no_key_info_its_own_refusal_is_final(
    venue: str, tmp_path: Path
) -> None:
    """Binance COIN-M and Kraken Futures have no key-info call the client uses: the
    venue refuses the read-only key's order itself; it is a rejection, never retried."""
    books = SimAccounts()
    books.set_read_only(venue)
    async with venue_rig(venue, "trade", books) as (_, client, start):
        assert await client.key_permissions() is None
        audit = AuditLog(tmp_path / "audit.jsonl")
        result = await Broker(client, audit, sleep=no_sleep).run(plan_for(venue, start))
        assert result.status == "rejected" and VENUE_SAYS_NO[venue] in (result.error or "")
        assert books.orders(venue) == []
        assert [e["event"] for e in audit.read()] == ["send", "reply", "result"]


async def test_the_issues_unwind_command_is_refused_and_nothing_is_sent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`unwind --demo --hedge btc-lev --fraction 0.5 --limit-offset-bps 20000 --yes`."""
    from hedgetui.cli import build_parser
    from hedgetui.commands.unwind import unwind_main

    books = SimAccounts()
    argv = ["--demo", "--hedge", "btc-lev", "--fraction", "0.5", "--limit-offset-bps", "20000"]
    args = build_parser().parse_args(
        ["unwind", *argv, "--yes", "--audit-log", str(tmp_path / "a.jsonl")]
    )
    assert await unwind_main(args, sim_accounts=books) == 1
    err = capsys.readouterr().err
    assert err.startswith("hedgetui unwind: refused: a sell limit 20000 bps from the mark"), err
    assert "above zero" in err and err.count("\n") == 1
    assert all(books.orders(venue) == [] for venue in VENUES)


def trades(report: KeyPermissions | None) -> bool:
    assert report is not None
    return report.can_trade


def test_the_venues_key_reports_are_read_as_documented() -> None:
    """The docs' examples: Bybit ``readOnly``, OKX ``perm``, BitMEX ``permissions``, Deribit
    ``scope``; a report that says nothing about trading is no refusal."""
    from hedgetui.trading.venues import bitmex, bybit, deribit, okx

    docs = {"readOnly": 0, "permissions": {"ContractTrade": [], "Wallet": ["AccountTransfer"]}}
    assert bybit.parse_key_permissions(docs).can_trade
    assert not bybit.parse_key_permissions({**docs, "readOnly": 1}).can_trade
    assert okx.parse_key_permissions([{"perm": "read_only,withdraw,trade"}]).can_trade
    assert okx.parse_key_permissions([{"perm": "read_only,trade"}]).can_trade
    assert not okx.parse_key_permissions([{"perm": "read_only"}]).can_trade
    key = [{"id": "k1", "permissions": ["order", "orderCancel"]}, {"id": "k2", "permissions": []}]
    assert trades(bitmex.parse_key_permissions(key, "k1"))
    assert not trades(bitmex.parse_key_permissions(key, "k2"))
    assert bitmex.parse_key_permissions(key, "other") is None
    ro = deribit.parse_key_permissions({"scope": "account:read trade:read wallet:none"})
    assert ro is not None and not ro.can_trade and ro.detail == 'scope "trade:read"'
    assert trades(deribit.parse_key_permissions({"scope": "connection trade:read_write"}))
    assert deribit.parse_key_permissions({"scope": "connection mainaccount"}) is None


async def test_a_read_only_account_in_the_config_is_refused_by_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """config -> runtime -> account -> `hedgetui unwind`: exit 1, one line, nothing sent."""
    from hedgetui.cli import build_parser
    from hedgetui.commands.unwind import unwind_main
    from tests.trading.test_unwind_secrets import bybit_account, config

    async with bybit_account(monkeypatch) as (sim, rest, books):
        cfg = config(tmp_path / "c.toml", sim.ws_url("bybit"), rest.url, tmp_path / "a.jsonl")
        cfg.write_text(cfg.read_text().replace('permissions = "trade"', ""))  # the default
        argv = ["unwind", "--config", str(cfg), "--hedge", "lev", "--fraction", "0.5", "--yes"]
        assert await unwind_main(build_parser().parse_args(argv)) == 1
    err = capsys.readouterr().err
    assert err == (
        "hedgetui unwind: refused: account 'bybit-main' is read-only (permissions = \"read\"): "
        'nothing was sent; to allow orders, set permissions = "trade" in its [[accounts]] table\n'
    )
    assert books.orders("bybit") == [] and books.position("bybit", "BTCUSD") == 20_000
