"""Adjusting a hedge on each venue, end to end over loopback against the simulator's signed REST:
the service plans, the broker sends, the account is read back into the store, and the position
and ratio after equal the preview's to the lot."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hedgetui.config import (
    AccountSettings,
    HedgeSettings,
    Settings,
    SpotHolding,
    TradeLimits,
    TradingSettings,
)
from hedgetui.domain import MarkPrice
from hedgetui.runtime.accounts import AccountReadings, account_client, poller_for
from hedgetui.runtime.unwind import audit_log_for, service_for_store
from hedgetui.sim.rest import SimAccounts, start_rest_server
from hedgetui.store import Store
from hedgetui.trading.account_poller import AccountPoller
from hedgetui.trading.adjust_plan import AdjustPlan, AdjustRequest
from hedgetui.trading.adjust_service import AdjustService
from hedgetui.trading.audit import AuditLog
from hedgetui.trading.broker import RetryPolicy
from hedgetui.trading.planner import PlanError
from hedgetui.venues import default_symbol, get_instrument
from tests.trading.test_trading_sim import VENUES, demo_credentials, no_sleep

MARK = 50_000.0
ENTRY = 55_000.0  # the short is in profit: the ratio counts its PnL among the coins held
SPOT = 1.0
COLLATERAL = 1.0


@dataclass
class Rig:
    venue: str
    symbol: str
    books: SimAccounts
    store: Store
    service: AdjustService
    poller: AccountPoller
    audit: AuditLog

    @property
    def lot_ratio(self) -> float:
        """How much one lot moves the hedge ratio."""
        p = get_instrument(self.venue, self.symbol)
        view = self.service.unwind.view("h")
        assert view is not None and view.report is not None and view.report.hedge_ratio
        held = view.report.position_value_coin / view.report.hedge_ratio
        return p.lot_size * p.contract_size / MARK / held

    def ratio(self) -> float:
        view = self.service.unwind.view("h")
        assert view is not None and view.report is not None
        assert view.report.hedge_ratio is not None
        return view.report.hedge_ratio

    async def adjust(self, request: AdjustRequest) -> AdjustPlan:
        """Plan, send, read the account back; the plan that was sent."""
        plan = self.service.plan("h", request)
        result = await self.service.execute(plan)
        assert result.status == "filled", result.summary()
        assert await self.poller.poll_once()
        return plan


def contracts_for(venue: str, symbol: str, ratio: float) -> float:
    """The short that makes ``ratio`` at MARK (to the lot), held = spot + collateral + PnL."""
    p = get_instrument(venue, symbol)
    # a short's PnL at MARK adds coins: solve N*cs/MARK = ratio*(SPOT + C + N*cs*(1/M - 1/E))
    per_contract = p.contract_size / MARK - ratio * p.contract_size * (1 / MARK - 1 / ENTRY)
    n = ratio * (SPOT + COLLATERAL) / per_contract
    return round(n / p.lot_size) * p.lot_size


@pytest.fixture(params=VENUES)
async def rig(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Rig]:
    venue: str = request.param
    symbol = default_symbol(venue, "BTC")
    books = SimAccounts()
    books.set_position(
        venue, symbol, -contracts_for(venue, symbol, 0.5), ENTRY, collateral=COLLATERAL
    )
    server = await start_rest_server(venue, accounts=books, mark=lambda _: MARK)
    hedge = HedgeSettings(
        name="h",
        coin="BTC",
        venue=venue,
        symbol=symbol,
        spot=(SpotHolding(SPOT, "cold"),),
        account="acct",
        target_hedge_ratio=0.5,
        hedge_band=0.05,
    )
    base = Settings()
    settings = dataclasses.replace(
        base,
        hedges=(hedge,),
        accounts=(AccountSettings(name="acct", venue=venue, permissions="trade"),),
        trading=TradingSettings(enabled=True, audit_log=str(tmp_path / "audit.jsonl")),
        venues={
            **base.venues,
            venue: dataclasses.replace(base.venues[venue], rest_url=server.url),
        },
    )
    store = Store(settings)
    client = account_client(settings, hedge, credentials=demo_credentials())
    assert client is not None
    try:
        store.apply(MarkPrice(venue, symbol, MARK, int(store.clock.time() * 1000)))
        readings = AccountReadings(store.apply, client.base_url)
        poller = poller_for(client, hedge, store, readings)
        audit = audit_log_for(settings, client, None)
        unwind = service_for_store(settings, store, client=client, audit=audit, readings=readings)
        unwind.sleep = no_sleep
        unwind.policy = RetryPolicy()
        assert await poller.poll_once()
        yield Rig(venue, symbol, books, store, AdjustService(unwind), poller, audit)
    finally:
        await client.aclose()
        await server.close()


async def test_raise_lower_and_return_into_band(rig: Rig) -> None:
    assert rig.ratio() == pytest.approx(0.5, abs=rig.lot_ratio)
    orders = 0
    for request, reduce_only in (
        (AdjustRequest(to=0.9), False),
        (AdjustRequest(to=0.3), True),
        (AdjustRequest(band=True), False),
    ):
        plan = await rig.adjust(request)
        orders += 1
        assert plan.order.reduce_only is reduce_only
        assert plan.adjust is not None and plan.adjust.ratio_after is not None
        # the venue's position is the preview's, exactly; the ratio to the lot
        assert rig.books.position(rig.venue, rig.symbol) == plan.position_after
        view = rig.service.unwind.view("h")
        assert view is not None and view.contracts == abs(plan.position_after)
        assert rig.ratio() == pytest.approx(plan.adjust.ratio_after, abs=rig.lot_ratio)
        target = plan.adjust.target_ratio
        assert target is not None and rig.ratio() == pytest.approx(target, abs=rig.lot_ratio)
    assert rig.ratio() == pytest.approx(0.5, abs=rig.lot_ratio)  # back in the band's middle
    assert len(rig.books.orders(rig.venue)) == orders
    with pytest.raises(PlanError, match="inside the band"):
        rig.service.plan("h", AdjustRequest(band=True))


async def test_an_increase_that_does_not_fit_the_margin_is_refused_before_sending(
    rig: Rig,
) -> None:
    # no leverage limit for this hedge: only the margin check stands in the way
    unwind = rig.service.unwind
    hedge = dataclasses.replace(
        unwind.settings.hedges[0],
        trading=TradeLimits(max_leverage=None, min_liquidation_distance_pct=None),
    )
    unwind.settings = dataclasses.replace(unwind.settings, hedges=(hedge,))
    # the account's own figure, read with the balance, is what the increase must fit in
    balance = rig.service.unwind.balance("h")
    assert balance is not None
    assert balance.available_margin == pytest.approx(
        rig.books.margin(rig.venue, "BTC", MARK).available, rel=1e-6
    )
    with pytest.raises(
        PlanError, match=r"needs [\d.]+ BTC of initial margin .* available \(the account's avail"
    ):
        rig.service.plan("h", AdjustRequest(to=300))
    assert rig.books.orders(rig.venue) == []
    # and the default limit refuses it by the leverage it would reach
    unwind.settings = dataclasses.replace(
        unwind.settings, hedges=(dataclasses.replace(hedge, trading=None),)
    )
    with pytest.raises(PlanError, match=r"above trading\.max_leverage \(10\)"):
        rig.service.plan("h", AdjustRequest(to=300))


async def test_lost_reply_of_an_increasing_order_one_order_and_the_audit_tells_it(
    rig: Rig,
) -> None:
    rig.books.inject(rig.venue, "lost_reply")
    plan = rig.service.plan("h", AdjustRequest(to=0.9))
    assert not plan.order.reduce_only
    result = await rig.service.execute(plan)
    assert result.status == "filled", result.summary()
    assert len(rig.books.orders(rig.venue)) == 1  # never a second order
    assert rig.books.position(rig.venue, rig.symbol) == plan.position_after
    log = rig.audit.read()
    story = [e["event"] for e in log]
    assert story[:5] == ["plan", "send", "lost_reply", "status_check", "status_found"]
    assert story[-1] == "result"
    cid = plan.order.client_order_id
    assert all(e.get("client_order_id") == cid for e in log if e["event"] in story[1:5])
    assert log[0]["order"]["reduce_only"] is False and log[0]["action"] == "adjust"


VENUE_SAYS = {
    "bitmex": "insufficient Available Balance",
    "bybit": "110007",
    "binance": "-2019",
    "deribit": "not_enough_funds",
    "okx": "51008",
    "kraken": "insufficientAvailableFunds",
}


async def test_an_increase_the_venue_rejects_is_reported_with_its_message(rig: Rig) -> None:
    plan = rig.service.plan("h", AdjustRequest(to=0.9))  # fits the margin as last read
    # ... and then, on the venue, the margin went elsewhere and the leverage was lowered
    rig.books.set_balance(rig.venue, "BTC", 0.001)
    rig.books.set_leverage(rig.venue, rig.symbol, 1)
    result = await rig.service.execute(plan)
    assert result.status == "rejected", result.summary()
    assert VENUE_SAYS[rig.venue] in (result.error or ""), result.error
    assert rig.books.position(rig.venue, rig.symbol) == plan.position_before
    assert [e["event"] for e in rig.audit.read()][-1] == "result"


async def test_close_to_flat_then_open_a_short_again(rig: Rig) -> None:
    closed = await rig.adjust(AdjustRequest(to=0))
    assert closed.order.reduce_only and closed.position_after == 0
    assert rig.books.position(rig.venue, rig.symbol) == 0
    with pytest.raises(PlanError, match="would open a long"):
        rig.service.plan("h", AdjustRequest(by=+1000))
    opened = await rig.adjust(AdjustRequest(to=0.5))  # from flat: the account's margin
    assert opened.order.side == "sell" and not opened.order.reduce_only
    assert rig.books.position(rig.venue, rig.symbol) == opened.position_after < 0
    assert opened.adjust is not None and opened.adjust.margin_available is not None
    assert rig.ratio() == pytest.approx(0.5, abs=rig.lot_ratio)
