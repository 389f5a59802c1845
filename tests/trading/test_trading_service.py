"""UnwindService: dry-run rules, refusals and limits from [trading]."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from hedgetui.clock import ManualClock
from hedgetui.config import TradingSettings
from hedgetui.runtime.unwind import service_for_store
from hedgetui.trading.audit import AuditLog
from hedgetui.trading.planner import PlanError, UnwindRequest
from hedgetui.trading.service import Refused, UnwindService
from tests.ui.test_unwind_screen import manual_store


def service(
    tmp_path: Path, trading: TradingSettings | None = None
) -> tuple[UnwindService, ManualClock]:
    clock = ManualClock()
    settings, store = manual_store(clock)
    if trading is not None:
        settings = dataclasses.replace(settings, trading=trading)
    audit = AuditLog(tmp_path / "a.jsonl", clock=clock)
    return service_for_store(settings, store, client=None, audit=audit, clock=clock), clock


def test_dry_run_until_enabled_and_without_a_client(tmp_path: Path) -> None:
    svc, _ = service(tmp_path)
    assert svc.dry_run and "trading is disabled" in svc.dry_run_reason
    svc, _ = service(tmp_path, TradingSettings(enabled=True))
    assert svc.dry_run and "no trading account" in svc.dry_run_reason


def test_max_fraction_caps_fractions_and_contracts(tmp_path: Path) -> None:
    svc, _ = service(tmp_path, TradingSettings(max_fraction=0.5))
    with pytest.raises(PlanError, match=r"above trading\.max_fraction"):
        svc.plan("core", UnwindRequest(fraction=0.75))
    with pytest.raises(PlanError, match=r"more than trading\.max_fraction"):
        svc.plan("core", UnwindRequest(contracts=200_000))
    plan = svc.plan("core", UnwindRequest(contracts=150_000))
    assert plan.order.contracts == 150_000 and plan.order.side == "buy"


def test_default_limit_offset_from_config(tmp_path: Path) -> None:
    svc, _ = service(tmp_path, TradingSettings(default_limit_offset_bps=20))
    plan = svc.plan("core", UnwindRequest(fraction=1.0))
    assert plan.order.order_type == "limit" and plan.order.price == 60_120.0


def test_refusals(tmp_path: Path) -> None:
    svc, clock = service(tmp_path)
    with pytest.raises(Refused, match="no hedge named 'nope'"):
        svc.check("nope")
    clock.advance(4.0)  # delayed still counts as usable
    assert svc.check("core").mark == 60_000.0
    clock.advance(10.0)
    with pytest.raises(Refused, match="mark price is stale"):
        svc.plan("core", UnwindRequest(fraction=0.5))
