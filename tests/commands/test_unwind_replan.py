"""The confirmed order is re-planned on the data as it is then, and a resting limit order the
command gives up on is cancelled (or reported with its id). Simulator over loopback."""

from __future__ import annotations

import argparse
import dataclasses
import io
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pytest

from hedgetui.cli import build_parser
from hedgetui.commands.interrupts import Interrupts
from hedgetui.commands.order_flow import flow
from hedgetui.demo.trading import DemoTrading, demo_trading
from hedgetui.domain import MarkPrice
from hedgetui.sim.rest import RestServer, SimAccounts, start_rest_server
from hedgetui.trading.audit import AuditLog
from hedgetui.trading.broker import Broker, RetryPolicy
from hedgetui.trading.orders import OrderRejected
from hedgetui.trading.planner import UnwindPlan, UnwindRequest, new_client_order_id, plan_unwind
from hedgetui.trading.service import REPLAN_MARK_TOLERANCE
from hedgetui.trading.venues import VenueClient, make_client
from tests.trading.test_trading_sim import (
    ENTRY,
    MARK,
    VENUES,
    demo_credentials,
    instrument,
    no_sleep,
)

# ---------------------------------------------------------------- cancel of a resting order


@dataclass
class Desk:
    venue: str
    books: SimAccounts
    server: RestServer
    client: VenueClient
    audit: AuditLog

    def resting_plan(self) -> UnwindPlan:
        """Half the short as a buy limit 10% under the simulator's mark: it rests."""
        inst = instrument(self.venue)
        return plan_unwind(
            hedge="h",
            instrument=inst,
            position=self.books.position(self.venue, inst.symbol),
            mark=MARK * 0.9,
            request=UnwindRequest(fraction=0.5, limit_offset_bps=10),
            client_order_id=new_client_order_id(self.venue),
        )


@pytest.fixture(params=VENUES)
async def desk(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Desk]:
    venue: str = request.param
    inst = instrument(venue)
    books = SimAccounts()
    books.set_position(venue, inst.symbol, -400 * inst.lot_size, ENTRY, collateral=1.0)
    server = await start_rest_server(venue, accounts=books, mark=lambda symbol: MARK)
    client = make_client(
        venue, demo_credentials(), base_url=server.url, timeout_s=2.0, permissions="trade"
    )
    audit = AuditLog(tmp_path / "audit.jsonl")
    try:
        yield Desk(venue, books, server, client, audit)
    finally:
        await client.aclose()
        await server.close()


FEW_POLLS = RetryPolicy(fill_polls=2, fill_poll_s=0.0)


async def test_a_limit_order_left_resting_is_cancelled(desk: Desk) -> None:
    plan = desk.resting_plan()
    before = desk.books.position(desk.venue, plan.symbol)
    result = await Broker(desk.client, desk.audit, policy=FEW_POLLS, sleep=no_sleep).run(plan)
    cid = plan.order.client_order_id
    assert result.status == "canceled", result.summary()
    assert result.error == f"not filled in time: order {cid} cancelled"
    [order] = desk.books.orders(desk.venue)
    assert order["status"] == "canceled" and order["client_id"] == cid
    assert desk.books.position(desk.venue, plan.symbol) == before == result.position_after
    story = [e["event"] for e in desk.audit.read()]
    assert story[-3:] == ["cancel", "status", "result"]


async def test_a_cancel_that_fails_is_reported_with_the_order_id(desk: Desk) -> None:
    """The venue goes away while the order rests: the cancel fails and the result says so,
    naming the client order id (and the venue's id) and what to do."""
    plan = desk.resting_plan()

    async def venue_goes_away(_: float) -> None:
        await desk.server.close()

    broker = Broker(desk.client, desk.audit, policy=FEW_POLLS, sleep=venue_goes_away)
    result = await broker.run(plan)
    cid = plan.order.client_order_id
    assert result.status == "open", result.summary()
    assert result.error is not None
    assert f"order {cid} (venue id " in result.error
    assert f"is still open on {desk.venue} and could not be cancelled" in result.error
    assert result.error.endswith("cancel it on the venue")
    assert desk.books.orders(desk.venue)[0]["status"] == "new"
    assert "cancel_failed" in [e["event"] for e in desk.audit.read()]


async def test_cancelling_a_filled_order_is_refused_in_the_venues_words(desk: Desk) -> None:
    inst = instrument(desk.venue)
    plan = plan_unwind(
        hedge="h",
        instrument=inst,
        position=desk.books.position(desk.venue, inst.symbol),
        mark=MARK,
        request=UnwindRequest(fraction=0.5),
        client_order_id=new_client_order_id(desk.venue),
    )
    result = await Broker(desk.client, desk.audit, sleep=no_sleep).run(plan)
    assert result.status == "filled"
    with pytest.raises(OrderRejected) as info:
        await desk.client.cancel_order(plan.order)
    assert str(info.value).startswith(f"{desk.venue}: order rejected")
    assert desk.books.orders(desk.venue)[0]["status"] == "filled"


# ---------------------------------------------------------------- re-plan after the confirmation


def parse(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["unwind", *argv])


def move_mark(demo: DemoTrading, factor: float) -> None:
    """The market moves: the simulator fills at the new price and the store sees it."""
    hedge = demo.settings.hedge("btc-core")
    prices = cast(dict[str, float], demo.prices)  # the simulator's own price table
    prices["BTC"] *= factor
    now_ms = int(demo.store.clock.time() * 1000)
    demo.store.apply(MarkPrice(hedge.venue, hedge.symbol, prices["BTC"], now_ms))


async def run_flow(
    demo: DemoTrading, argv: list[str], ask: Callable[[str], str]
) -> tuple[int, str]:
    out = io.StringIO()
    args = parse("--demo", "--hedge", "btc-core", *argv)
    code = await flow(args, demo.service, out, ask, demo.poller.poll_once, Interrupts())
    return code, out.getvalue()


@pytest.fixture
async def demo(tmp_path: Path) -> AsyncIterator[DemoTrading]:
    """The demo's btc-core (a BitMEX short) with its position read once."""
    async with demo_trading("btc-core", audit_log=tmp_path / "a.jsonl") as demo:
        await demo.poller.poll_once()
        yield demo


def books_of(demo: DemoTrading) -> SimAccounts:
    return cast(SimAccounts, demo.accounts)


async def test_a_move_during_the_prompt_shows_the_new_order_and_asks_again(
    demo: DemoTrading, tmp_path: Path
) -> None:
    books = books_of(demo)
    start = demo.prices["BTC"]
    prompts: list[str] = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        if len(prompts) == 1:
            move_mark(demo, 1.05)  # +5% while the user reads the preview
        return "XBTUSD"

    code, text = await run_flow(demo, ["--contracts", "1000"], ask)
    assert code == 0, text
    assert len(prompts) == 2
    assert "Not sent: the mark moved +5.00%" in text
    assert text.count("client id") == 2  # the preview, then the new one
    [order] = books.orders("bitmex")
    assert order["avg_price"] == pytest.approx(start * 1.05)
    story = [e["event"] for e in AuditLog(tmp_path / "a.jsonl").read()]
    assert story[:5] == ["plan", "confirm", "replan", "confirm", "send"]


async def test_a_small_move_sends_the_order_made_on_the_current_mark(demo: DemoTrading) -> None:
    books = books_of(demo)
    start = demo.prices["BTC"]
    prompts: list[str] = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        move_mark(demo, 1 + REPLAN_MARK_TOLERANCE / 2)
        return "XBTUSD"

    code, text = await run_flow(
        demo, ["--contracts", "1000", "--limit-offset-bps", "20", "--json"], ask
    )
    assert code == 0, text
    assert len(prompts) == 1
    [order] = books.orders("bitmex")
    # the limit price is made on the mark after the prompt, not the one before it
    assert order["price"] > start * (1 + REPLAN_MARK_TOLERANCE / 2)


async def test_a_position_changed_during_the_prompt_is_confirmed_again(
    demo: DemoTrading,
) -> None:
    books = books_of(demo)
    held = books.position("bitmex", "XBTUSD")
    prompts: list[str] = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        if len(prompts) == 1:  # someone closes part of it elsewhere meanwhile
            books.set_position("bitmex", "XBTUSD", held / 2, 60_000.0)
            return "XBTUSD"
        return "no"

    code, text = await run_flow(demo, ["--fraction", "1"], ask)
    assert code == 1
    assert f"Not sent: the position changed from {held:+g} to {held / 2:+g}" in text
    assert books.orders("bitmex") == []


async def test_a_position_that_cannot_be_re_read_after_the_prompt_is_not_traded_on(
    demo: DemoTrading,
) -> None:
    """The re-read after the confirmation fails (the venue stops answering: a refused
    connection on loopback): the order made on the read before the prompt is not sent."""
    books = books_of(demo)
    client = demo.poller.client
    reachable = client.base_url

    def ask(prompt: str) -> str:
        client.base_url = "http://127.0.0.1:1"  # nothing listens there: connection refused
        return "XBTUSD"

    try:
        code, _text = await run_flow(demo, ["--fraction", "0.5"], ask)
    finally:
        client.base_url = reachable
    assert code == 1
    assert books.orders("bitmex") == []
    entries = [e["event"] for e in demo.service.audit.read()]
    assert entries[-1] == "aborted" and "send" not in entries


async def test_with_yes_there_is_nothing_to_ask_again(demo: DemoTrading) -> None:
    books = books_of(demo)

    def ask(prompt: str) -> str:
        raise AssertionError("--yes must not prompt")

    code, _text = await run_flow(demo, ["--contracts", "1000", "--yes"], ask)
    assert code == 0
    assert len(books.orders("bitmex")) == 1


async def test_the_dialog_re_plans_after_the_confirmation_too(demo: DemoTrading) -> None:
    from textual.widgets import Input

    from hedgetui.ui.unwind_screen import UnwindScreen
    from tests.ui.test_unwind_screen import Host, text_of

    books = books_of(demo)
    start = demo.prices["BTC"]
    app = Host(UnwindScreen(demo.service, "btc-core"))
    async with app.run_test(size=(80, 30)) as pilot:
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        first = app.dialog.plan
        assert first is not None
        move_mark(demo, 0.95)  # -5% while the preview is read
        await pilot.press(*"XBTUSD", "enter")
        await pilot.pause()
        status = text_of(app.dialog, "#unwind-status")
        assert status.startswith("Not sent: the mark moved -5.00%"), status
        assert books.orders("bitmex") == []
        assert app.dialog.query_one("#unwind-confirm", Input).value == ""
        assert f"mark {start * 0.95:,.2f}" in text_of(app.dialog, "#unwind-preview")
        await pilot.press(*"XBTUSD", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert text_of(app.dialog, "#unwind-status").startswith("Done: buy")
    [order] = books.orders("bitmex")
    assert order["avg_price"] == pytest.approx(start * 0.95)
    assert order["client_id"] == first.order.client_order_id


# ---------------------------------------------------------------- settling after Ctrl-C


async def test_settle_finds_a_filled_order_by_its_client_id(desk: Desk) -> None:
    plan = desk.resting_plan()
    await desk.client.place_order(dataclasses.replace(plan.order, order_type="market"))
    settled = await Broker(desk.client, desk.audit, sleep=no_sleep).settle(plan)
    assert settled.known and settled.result.status == "filled", settled.result.summary()
    assert len(desk.books.orders(desk.venue)) == 1  # looked up, never sent again
    assert desk.audit.read()[-1]["interrupted"] is True


async def test_settle_cancels_an_order_found_resting(desk: Desk) -> None:
    plan = desk.resting_plan()
    await desk.client.place_order(plan.order)
    settled = await Broker(desk.client, desk.audit, sleep=no_sleep).settle(plan)
    assert settled.known and settled.result.status == "canceled", settled.result.summary()
    assert desk.books.orders(desk.venue)[0]["status"] == "canceled"


async def test_settle_of_an_order_that_never_arrived_says_not_placed(desk: Desk) -> None:
    plan = desk.resting_plan()
    settled = await Broker(desk.client, desk.audit, sleep=no_sleep).settle(plan)
    cid = plan.order.client_order_id
    assert settled.known and settled.result.status == "failed"
    assert settled.result.error == f"not placed: {desk.venue} has no order with client id {cid}"
    assert desk.books.orders(desk.venue) == []


async def test_settle_with_the_venue_unreachable_is_outcome_unknown(desk: Desk) -> None:
    plan = desk.resting_plan()
    await desk.server.close()
    settled = await Broker(desk.client, desk.audit, sleep=no_sleep).settle(plan)
    assert not settled.known and settled.result.status == "failed"
    assert settled.result.error is not None
    assert settled.result.error.startswith("outcome unknown: no lookup answered (")
    assert "connection refused" in settled.result.error


async def test_settle_is_bounded_however_slow_the_venue(tmp_path: Path) -> None:
    import asyncio

    from hedgetui.sim.rest.http import HttpRequest, HttpResponse, HttpServer

    async def never(_: HttpRequest) -> HttpResponse:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    server = HttpServer(never)
    await server.start("127.0.0.1", 0)
    client = make_client("bybit", demo_credentials(), base_url=f"http://127.0.0.1:{server.port}")
    audit = AuditLog(tmp_path / "a.jsonl")
    policy = RetryPolicy(settle_limit_s=0.3)
    inst = instrument("bybit")
    plan = plan_unwind(
        hedge="h",
        instrument=inst,
        position=-1000,
        mark=MARK,
        request=UnwindRequest(fraction=0.5),
        client_order_id=new_client_order_id("bybit"),
    )
    try:
        settled = await asyncio.wait_for(Broker(client, audit, policy=policy).settle(plan), 10)
    finally:
        await client.aclose()
        await server.close()
    assert not settled.known
    assert (
        settled.result.error == "outcome unknown: no lookup answered (no final answer within 0.3s)"
    )


async def test_with_json_stdout_stays_one_json_object(
    demo: DemoTrading, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    prompts: list[str] = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        if len(prompts) == 1:
            move_mark(demo, 1.02)
        return "XBTUSD"

    code, text = await run_flow(demo, ["--contracts", "1000", "--json"], ask)
    assert code == 0 and len(prompts) == 2
    assert json.loads(text)["status"] == "filled"
    assert "Not sent: the mark moved +2.00%" in capsys.readouterr().err
