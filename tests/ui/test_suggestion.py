"""The band suggestion: a hedge outside its band says what would bring it back, on its card,
under its row of the table and in its hedge-band alert (JSON and the pushed text), the order
the adjust planner makes for ``band`` (computed, never sent)."""

from __future__ import annotations

import json
import math

import pytest

from hedgetui import glyphs
from hedgetui.alerts.engine import AlertEngine
from hedgetui.alerts.report import alert_record, hedge_record
from hedgetui.alerts.rules import HEDGE_BAND
from hedgetui.alerts.sinks.push import AppriseSink
from hedgetui.clock import ManualClock
from hedgetui.domain import HedgeView, MarkPrice
from hedgetui.store import Store
from hedgetui.trading.adjust import plan_adjust
from hedgetui.trading.adjust_plan import AdjustLimits, AdjustRequest, HedgeState
from hedgetui.trading.service import instrument_for
from hedgetui.ui import render, table_rows
from hedgetui.ui.app import HedgeApp
from hedgetui.ui.styled import Line
from tests.http_recorder import recording_server
from tests.ui.test_ui_dashboard import screen_text, scripted_store

ETH_DOWN = 2_300.0  # eth-half's short (0.50 at $3,000) is then worth 0.566 of the ETH held
SIZE = (80, 23)


def out_of_band() -> tuple[Store, ManualClock]:
    store, clock = scripted_store()
    store.apply(MarkPrice("okx", "ETH-USD-SWAP", ETH_DOWN, int(clock.time() * 1000)))
    return store, clock


def eth_half(store: Store) -> HedgeView:
    (view,) = [h for h in store.snapshot().hedges if h.name == "eth-half"]
    return view


def text(lines: list[Line]) -> str:
    return "\n".join("".join(t for t, _ in line) for line in lines)


def test_the_suggestion_is_the_planners_order_back_to_the_target() -> None:
    store, _ = out_of_band()
    view = eth_half(store)
    assert view.hedge_ratio_in_band is False and view.suggestion is not None
    hedge = store.settings.hedge("eth-half")
    position = store.position("eth-half")
    assert position is not None and view.mark is not None
    plan = plan_adjust(
        hedge="eth-half",
        instrument=instrument_for(hedge),
        state=HedgeState(
            position=-position.contracts,
            mark=view.mark,
            spot=hedge.spot_total,
            risk_position=position,
        ),
        request=AdjustRequest(band=True),
        client_order_id="x",
        limits=AdjustLimits(target_hedge_ratio=0.5, hedge_band=0.05),
    )
    s = view.suggestion
    assert (s.side, s.contracts, s.reduce_only) == (
        plan.order.side,
        plan.order.contracts,
        plan.order.reduce_only,
    )
    assert s.side == "buy" and s.reduce_only  # over-hedged: a smaller short
    lot_ratio = (
        instrument_for(hedge).contract_size / view.mark / (hedge.spot_total + position.collateral)
    )
    assert math.isclose(s.ratio_after, 0.5, abs_tol=lot_ratio)
    # in its band: nothing suggested
    store, _ = scripted_store()
    assert all(h.suggestion is None for h in store.snapshot().hedges)


def test_the_card_says_the_order_in_place_of_the_target() -> None:
    store, _ = out_of_band()
    view = eth_half(store)
    assert view.suggestion is not None
    words = view.suggestion.words()
    assert words.startswith("buy ") and "→ 0.50" in words
    alerts = store.settings.hedge("eth-half").alerts
    card = text(render.hedge_card(view, alerts, 34))
    assert f"Hedge  0.566  {words}" in card and "target" not in card
    # a narrow card: a shorter form, never a cut number
    narrow = text(render.hedge_card(view, alerts, 24)).splitlines()[2]
    assert narrow == f"Hedge  0.566  buy {view.suggestion.contracts:,.10g}"
    # in ASCII mode the arrow's twin
    glyphs.use_ascii(True)
    try:
        ascii_card = text(render.hedge_card(view, alerts, 34))
    finally:
        glyphs.use_ascii(False)
    assert words.replace("→", "->") in ascii_card


def test_the_table_row_has_the_order_under_it_within_80_columns() -> None:
    store, _ = out_of_band()
    view = store.snapshot()
    alerts = [h.alerts for h in store.settings.hedges]
    lines = text(table_rows.hedge_table(view, alerts, 0, 78)).splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("  eth-half"))
    suggestion = eth_half(store).suggestion
    assert suggestion is not None
    assert lines[row + 1].strip() == f"to band {suggestion.words()}"
    assert all(len(line) <= 78 for line in lines)
    assert len(lines) == 1 + len(view.hedges) + 1  # one suggestion, one line
    # no room given by the layout budget: no line
    assert len(text(table_rows.hedge_table(view, alerts, 0, 78, 0)).splitlines()) == 5


async def test_the_dashboard_at_80x23_shows_it_on_the_row_and_the_card() -> None:
    store, _ = out_of_band()
    app = HedgeApp(store)
    async with app.run_test(size=SIZE) as pilot:
        app.selected = store.hedge_names().index("eth-half")
        app.refresh_view()
        await pilot.pause()
        shown = screen_text(app)
        words = eth_half(store).suggestion.words()  # type: ignore[union-attr]
        assert f"to band {words}" in shown
        assert f"Hedge  0.566  {words}" in shown
        assert app.plan.suggestion_rows == 1
        assert len(shown.splitlines()) == SIZE[1]


async def test_the_hedge_band_alert_carries_the_suggested_order() -> None:
    store, _ = out_of_band()
    engine = AlertEngine.from_settings(store.settings, clock=store.clock, pending_override_s=0)
    events = [e for e in engine.evaluate(store.snapshot()) if e.rule == HEDGE_BAND]
    (event,) = events
    suggestion = eth_half(store).suggestion
    assert suggestion is not None
    record = event.to_json()
    assert record["suggested_order"] == {
        "side": "buy",
        "contracts": suggestion.contracts,
        "ratio_after": suggestion.ratio_after,
        "reduce_only": True,
    }
    json.dumps(record)  # JSON as it is written to the alert log and `watch --json`
    assert f"to bring it back: {suggestion.words()} (suggested, not sent)" in event.message
    (active,) = [a for a in engine.active() if a.rule == HEDGE_BAND]
    assert alert_record(active)["suggested_order"] == record["suggested_order"]
    assert hedge_record(eth_half(store))["suggested_order"] == record["suggested_order"]
    # pushed: the message is the push body
    with recording_server() as server:
        sink = AppriseSink([f"json://127.0.0.1:{server.port}/"], timeout_s=5.0)
        try:
            await sink.deliver(event)
        finally:
            sink.close()
        (body,) = server.bodies
    assert f"to bring it back: {suggestion.words()}" in body["message"]


def test_no_suggestion_on_other_alerts_nor_in_band() -> None:
    store, _ = scripted_store()
    engine = AlertEngine.from_settings(store.settings, clock=store.clock, pending_override_s=0)
    for event in engine.evaluate(store.snapshot()):
        assert event.to_json()["suggested_order"] is None
        assert "to bring it back" not in event.message


@pytest.mark.parametrize("contracts", [1_200.0, 12_345_600.0])
def test_a_big_order_gives_way_to_a_shorter_form_never_a_cut(contracts: float) -> None:
    from dataclasses import replace

    from hedgetui.domain import SuggestedOrder

    store, _ = out_of_band()
    view = replace(eth_half(store), suggestion=SuggestedOrder("sell", contracts, 0.5, False))
    forms = table_rows.suggestion_words(view)
    assert forms[0] == f"sell {contracts:,.10g} → 0.50"
    assert all(len(f) <= len(forms[0]) for f in forms)
    if contracts >= 1e6:
        assert "sell 12.3M → 0.50" in forms


async def test_in_ascii_mode_the_arrow_is_its_twin_and_the_r_dialog_is_ascii() -> None:
    from tests.ui.test_ui_ascii import non_ascii

    store, _ = out_of_band()
    app = HedgeApp(store, ascii=True)
    async with app.run_test(size=SIZE) as pilot:
        app.selected = store.hedge_names().index("eth-half")
        app.refresh_view()
        await pilot.pause()
        words = eth_half(store).suggestion.words().replace("→", "->")  # type: ignore[union-attr]
        shown = screen_text(app)
        assert f"to band {words}" in shown and f"Hedge  0.566  {words}" in shown
        assert not non_ascii(shown), non_ascii(shown)
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("b")  # back to band: the suggestion's order, previewed
        await pilot.pause()
        shown = screen_text(app)
        assert "Adjust eth-half" in shown and "BUY" in shown, shown
        plan = getattr(app.screen, "plan", None)
        suggestion = eth_half(store).suggestion
        assert plan is not None and suggestion is not None  # the same order as suggested
        assert (plan.order.side, plan.order.contracts) == (suggestion.side, suggestion.contracts)
        assert not non_ascii(shown), non_ascii(shown)
