"""AdjustService over a store: refusals on stale or unknown data, dry run, audit, re-plan."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from hedgetui.clock import ManualClock
from hedgetui.config import Settings, TradeLimits, TradingSettings
from hedgetui.domain import MarkPrice
from hedgetui.runtime.unwind import service_for_store
from hedgetui.store import Store
from hedgetui.trading.adjust_plan import AdjustRequest
from hedgetui.trading.adjust_service import AdjustService
from hedgetui.trading.audit import AuditLog
from hedgetui.trading.planner import PlanError
from hedgetui.trading.service import Refused
from tests.ui.test_unwind_screen import manual_store


def service(
    tmp_path: Path, settings: Settings | None = None
) -> tuple[AdjustService, ManualClock, Store]:
    clock = ManualClock()
    base, store = manual_store(clock)  # core: 5 BTC collateral of a 300,000 USD short at 60,000
    if settings is not None:
        store = Store(settings, clock=clock)
        store.apply(MarkPrice("bitmex", "XBTUSD", 60_000.0, int(clock.time() * 1000)))
    audit = AuditLog(tmp_path / "a.jsonl", clock=clock)
    unwind = service_for_store(settings or base, store, client=None, audit=audit, clock=clock)
    return AdjustService(unwind), clock, store


def with_core(tmp_path: Path, **changes: object) -> Settings:
    _, store = manual_store(ManualClock())
    settings = store.settings
    return dataclasses.replace(
        settings, hedges=(dataclasses.replace(settings.hedges[0], **changes),)
    )


def test_plans_a_reduction_and_an_increase_as_a_dry_run(tmp_path: Path) -> None:
    svc, _, _ = service(tmp_path)
    down = svc.plan("core", AdjustRequest(to=0.5))
    assert down.order.side == "buy" and down.order.reduce_only and down.position_after == -150_000
    up = svc.plan("core", AdjustRequest(by=-20_000))
    assert up.order.side == "sell" and not up.order.reduce_only
    assert svc.dry_run and "trading is disabled" in svc.dry_run_reason
    plans = [e for e in svc.audit.read() if e["event"] == "plan"]
    assert [p["action"] for p in plans] == ["adjust", "adjust"]
    assert plans[1]["order"]["reduce_only"] is False and plans[0]["ratio_after"] == 0.5


async def test_execute_without_trading_enabled_sends_nothing(tmp_path: Path) -> None:
    svc, _, _ = service(tmp_path)
    plan = svc.plan("core", AdjustRequest(to=0.9))
    result = await svc.execute(plan)
    assert result.status == "dry_run" and "reduce-only" in result.summary()
    assert svc.audit.read()[-1]["event"] == "dry_run"


def test_refuses_stale_prices_and_unknown_hedges(tmp_path: Path) -> None:
    svc, clock, _ = service(tmp_path)
    with pytest.raises(Refused, match="no hedge named 'nope'"):
        svc.plan("nope", AdjustRequest(to=0.5))
    clock.advance(svc.settings.freshness.stale_after_s + 1)
    with pytest.raises(Refused, match="mark price is stale"):
        svc.plan("core", AdjustRequest(to=0.5))


def test_band_uses_the_hedges_target_and_limits_name_their_scope(tmp_path: Path) -> None:
    settings = with_core(tmp_path, target_hedge_ratio=0.5, hedge_band=0.05)
    svc, _, _ = service(tmp_path, settings)
    assert svc.plan("core", AdjustRequest(band=True)).position_after == -150_000
    settings = with_core(tmp_path, trading=TradeLimits(max_order_contracts=10_000))
    svc, _, _ = service(tmp_path, settings)
    with pytest.raises(PlanError, match=r"above hedges\.core\.trading\.max_order_contracts"):
        svc.plan("core", AdjustRequest(to=0.5))
    glob = dataclasses.replace(settings, trading=TradingSettings(max_order_usd=1000))
    glob = dataclasses.replace(glob, hedges=(dataclasses.replace(glob.hedges[0], trading=None),))
    svc, _, _ = service(tmp_path, glob)
    with pytest.raises(PlanError, match=r"\$150,000 is above trading\.max_order_usd \(\$1,000\)"):
        svc.plan("core", AdjustRequest(to=0.5))


def test_replan_keeps_the_client_id_and_says_when_the_mark_moved(tmp_path: Path) -> None:
    svc, clock, store = service(tmp_path)
    plan = svc.plan("core", AdjustRequest(to=0.5))
    same, moved = svc.replan(plan, AdjustRequest(to=0.5))
    assert moved is None and same.order.client_order_id == plan.order.client_order_id
    store.apply(MarkPrice("bitmex", "XBTUSD", 63_000.0, int(clock.time() * 1000)))
    fresh, moved = svc.replan(plan, AdjustRequest(to=0.5))
    assert moved is not None and "the mark moved" in moved
    assert fresh.order.client_order_id == plan.order.client_order_id


def test_the_runtime_hands_out_the_adjust_service(tmp_path: Path) -> None:
    from hedgetui.runtime.core import Runtime

    _, store = manual_store(ManualClock())
    trading = TradingSettings(audit_log=str(tmp_path / "a.jsonl"))
    runtime = Runtime(dataclasses.replace(store.settings, trading=trading))
    svc = runtime.adjust_service("core")
    assert isinstance(svc, AdjustService) and svc.dry_run
    assert svc.unwind.audit.path == runtime.unwind_service("core").audit.path
