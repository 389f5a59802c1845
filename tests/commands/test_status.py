"""`hedgetui status`: a snapshot with a monitoring exit code, on the simulator (loopback)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hedgetui.alerts.engine import AlertEngine
from hedgetui.alerts.report import exit_code
from hedgetui.cli import main
from hedgetui.clock import ManualClock
from hedgetui.config import AlertSettings
from hedgetui.domain import FeedState, Freshness
from tests.alerts_views import feed, hedge, report, view

DEMO_HEDGES = ["btc-core", "eth-half", "btc-desk", "btc-lev"]


def test_demo_status_json_lists_every_hedge_with_live_numbers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["status", "--demo", "--json", "--timeout", "10"])
    data = json.loads(capsys.readouterr().out)
    hedges = data["hedges"]
    assert [h["name"] for h in hedges] == DEMO_HEDGES
    for h in hedges:
        for key in ("net_exposure_coin", "net_exposure_usd", "margin_buffer_coin", "funding_rate"):
            assert isinstance(h[key], float), (h["name"], key)
        assert h["stale"] is False
        assert 50_000 < h["mark"] < 70_000 or 2_500 < h["mark"] < 3_500
    lev = next(h for h in hedges if h["name"] == "btc-lev")
    assert 20 < lev["liquidation_distance_pct"] < 30  # 3x long: ~25% below entry
    # btc-desk, a 6x short ~19% below its liquidation price, is the closest hedge to liquidation
    # yet clear of the default 15% warning: in a calm market the demo is healthy, exit 0.
    desk = next(h for h in hedges if h["name"] == "btc-desk")
    assert 17 < desk["liquidation_distance_pct"] < 20
    assert desk["liquidation_distance_pct"] == min(
        h["liquidation_distance_pct"] for h in hedges if h["liquidation_distance_pct"] is not None
    )
    assert data["alerts"] == []
    assert code == data["exit_code"] == 0


def test_demo_status_warns_when_the_thresholds_say_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("[alerts]\nliq_distance_warn_pct = 20\nliq_distance_crit_pct = 10\n")
    code = main(["status", "--demo", "--config", str(cfg), "--timeout", "10", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert [(a["key"], a["severity"]) for a in data["alerts"]] == [
        ("liq_distance:btc-desk", "warning")
    ]
    assert code == data["exit_code"] == 1
    text_code = main(["status", "--demo", "--config", str(cfg), "--timeout", "10"])
    out = capsys.readouterr().out
    assert text_code == 1, out
    assert out.splitlines()[-1] == "status: WARNING (exit 1)"
    assert "WARNING  btc-desk liquidation distance" in out
    for name in DEMO_HEDGES:
        assert f"{name}  " in out


def test_no_data_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        """
[venues.bybit]
ws_url = "ws://127.0.0.1:9/v5/public/inverse"

[[hedges]]
name = "lev"
coin = "BTC"
venue = "bybit"
position = { side = "long", contracts = 60000, entry = 60000, leverage = 3 }
"""
    )
    code = main(["status", "--config", str(cfg), "--timeout", "0.5", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 3 == data["exit_code"]
    assert data["hedges"][0]["stale"] is True
    assert data["hedges"][0]["liquidation_distance_pct"] is None


def test_missing_config_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HEDGETUI_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert main(["status"]) == 3
    assert "no config file found" in capsys.readouterr().err


def test_exit_code_precedence() -> None:
    ok = view(hedge())
    assert exit_code(ok, []) == 0
    stale = view(hedge(mark=Freshness.STALE))
    assert exit_code(stale, []) == 3
    down = view(hedge(), feeds=(feed(state=FeedState.DOWN),))
    assert exit_code(down, []) == 3
    assert exit_code(view(hedge(rep=None)), []) == 3
    # critical beats no data; no data beats a warning; info changes nothing
    engine = AlertEngine(AlertSettings(), clock=ManualClock(), pending_override_s=0.0)
    crit = view(hedge("a", rep=report(liq_distance_pct=5.0)), hedge("b", mark=Freshness.STALE))
    engine.evaluate(crit)
    assert exit_code(crit, engine.active()) == 2
    warn = view(hedge("a", rep=report(liq_distance_pct=12.0)), hedge("b", mark=Freshness.STALE))
    engine.evaluate(warn)
    assert exit_code(warn, engine.active()) == 3
    warn_only = view(hedge("a", rep=report(liq_distance_pct=12.0), basis_bps=80.0))
    engine.evaluate(warn_only)
    assert exit_code(warn_only, engine.active()) == 1
    info_only = view(hedge("a", basis_bps=80.0))
    engine.evaluate(info_only)
    assert [a.severity.value for a in engine.active()] == ["info"]
    assert exit_code(info_only, engine.active()) == 0


async def test_status_from_a_config_against_a_running_simulator(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The non-demo path: a user's config whose venue URL points at the simulator."""
    import asyncio

    from hedgetui.sim import start_simulator

    async with await start_simulator(venues=("bybit",), scenario="calm") as sim:
        cfg = tmp_path / "c.toml"
        cfg.write_text(
            f"""
[venues.bybit]
ws_url = "{sim.ws_url("bybit")}"

[[hedges]]
name = "lev"
coin = "BTC"
venue = "bybit"
position = {{ side = "long", contracts = 60000, entry = 60000, leverage = 3 }}
"""
        )
        # `main` runs its own event loop: give it a thread while the simulator serves here
        code = await asyncio.to_thread(main, ["status", "--config", str(cfg), "--json"])
    data = json.loads(capsys.readouterr().out)
    [lev] = data["hedges"]
    assert lev["name"] == "lev" and lev["stale"] is False
    assert 59_000 < lev["mark"] < 61_000
    assert 20 < lev["liquidation_distance_pct"] < 30
    assert code == 0 == data["exit_code"]
