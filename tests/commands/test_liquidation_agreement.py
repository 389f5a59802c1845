"""`calc`, `status --json` and the dashboard agree on every liquidation case of issue 19.

`status` runs a config against the simulator on loopback; `calc` is given the same position
and the mark `status` saw; the dashboard's card and table are rendered from a store fed the
same config and marks. All three must report the same state, price and signed distance.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from hedgetui.cli import main
from hedgetui.clock import ManualClock
from hedgetui.config import load_settings
from hedgetui.domain import FeedState, FeedStatus, MarkPrice
from hedgetui.store import Store
from hedgetui.ui import format as fmt
from hedgetui.ui import render, table_rows
from hedgetui.ui.danger import Danger, liquidation_danger

# name -> (venue, calc flags without --mark); each is also a [[hedges]] entry of the config
HEDGES: dict[str, tuple[str, dict[str, str]]] = {
    # a hair under 1x: the exact price is ~14.9 trillion USD, more than a 10x move away
    "near-1x": (
        "bybit",
        {"side": "short", "contracts": "50000", "entry": "60000", "collateral": "0.83333333"},
    ),
    # 10x long from 72,000: liquidation ~65,500, the calm market (~60,000) is past it
    "lev-past": (
        "bybit",
        {"side": "long", "contracts": "100000", "entry": "72000", "leverage": "10"},
    ),
    # the Deribit short scaled to BTC: the size-dependent requirement is above the
    # equity at every price
    "deribit-mm": (
        "deribit",
        {"side": "short", "contracts": "31716000", "entry": "59000", "leverage": "47.875"},
    ),
    # 3x long: an ordinary liquidation ~25% below
    "lev-ahead": (
        "bybit",
        {"side": "long", "contracts": "60000", "entry": "60000", "leverage": "3"},
    ),
}
STATES = {
    "near-1x": "none",
    "lev-past": "past",
    "deribit-mm": "below_maintenance",
    "lev-ahead": "ahead",
}


def config(urls: dict[str, str]) -> str:
    lines = [f'[venues.{venue}]\nws_url = "{url}"\n' for venue, url in urls.items()]
    for name, (venue, flags) in HEDGES.items():
        position = ", ".join(
            f'{k} = "{v}"' if k == "side" else f"{k} = {v}" for k, v in flags.items()
        )
        lines.append(
            f'[[hedges]]\nname = "{name}"\ncoin = "BTC"\nvenue = "{venue}"\n'
            f"position = {{ {position} }}\n"
        )
    return "\n".join(lines)


def calc(capsys: pytest.CaptureFixture[str], venue: str, flags: dict[str, str], mark: float) -> Any:
    argv = ["calc", "--venue", venue, "--mark", repr(mark), "--json"]
    for key, value in flags.items():
        argv += [f"--{key}", value]
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def status_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """`status --json` once, against a calm simulator (bybit and deribit) on loopback."""
    from hedgetui.sim import start_simulator

    cfg = tmp_path_factory.mktemp("agree") / "c.toml"

    async def run() -> tuple[int, str]:
        import contextlib
        import io

        async with await start_simulator(venues=("bybit", "deribit"), scenario="calm") as sim:
            cfg.write_text(config({v: sim.ws_url(v) for v in ("bybit", "deribit")}))
            out = io.StringIO()

            def status() -> int:
                with contextlib.redirect_stdout(out):
                    return main(["status", "--config", str(cfg), "--json", "--timeout", "10"])

            code = await asyncio.to_thread(status)
        return code, out.getvalue()

    code, out = asyncio.run(run())
    data = json.loads(out)
    assert code == data["exit_code"] == 2  # past liquidation and below maintenance: critical
    return cfg, data


def test_status_and_calc_agree(
    status_run: tuple[Path, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    _, data = status_run
    hedges = {h["name"]: h for h in data["hedges"]}
    assert sorted(hedges) == sorted(HEDGES)
    for name, (venue, flags) in HEDGES.items():
        h = hedges[name]
        assert h["stale"] is False, name
        c = calc(capsys, venue, flags, h["mark"])
        assert h["liquidation_state"] == c["liquidation_state"] == STATES[name], name
        for key in ("liquidation_price", "liquidation_distance_pct", "liquidation_distance_usd"):
            if c[key] is None:
                assert h[key] is None, (name, key)
            else:
                assert h[key] == pytest.approx(c[key], rel=1e-9), (name, key)
    assert hedges["lev-past"]["liquidation_distance_pct"] < 0
    assert hedges["lev-ahead"]["liquidation_distance_pct"] > 0
    alerts = {(a["hedge"], a["rule"]): a["severity"] for a in data["alerts"]}
    assert alerts[("lev-past", "liq_distance")] == "critical"
    assert alerts[("deribit-mm", "liq_distance")] == "critical"
    assert ("near-1x", "liq_distance") not in alerts


def test_the_dashboard_agrees(
    status_run: tuple[Path, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    cfg, data = status_run
    settings = load_settings(cfg)
    clock = ManualClock()
    store = Store(settings, clock=clock)
    for h in data["hedges"]:
        store.apply(FeedStatus(h["venue"], FeedState.LIVE))
        store.apply(MarkPrice(h["venue"], h["symbol"], h["mark"], int(clock.time() * 1000)))
    view = store.snapshot()
    alerts = settings.alerts
    for h, status in zip(view.hedges, data["hedges"], strict=True):
        assert h.report is not None
        venue, flags = HEDGES[h.name]
        c = calc(capsys, venue, flags, status["mark"])
        card = "\n".join("".join(t for t, _ in line) for line in render.hedge_card(h, alerts, 40))
        row = "".join(t for t, _ in table_rows.hedge_row(h, alerts, selected=False))
        state = c["liquidation_state"]
        assert h.report.liquidation_state.value == state
        if state == "none":
            assert "Liq    none (≥10×)" in card and " ≥10× " in row
        elif state == "below_maintenance":
            assert "Liq    already below maintenance" in card and " <maint " in row
        else:
            r = h.report
            assert r.liquidation_price == pytest.approx(c["liquidation_price"], rel=1e-9)
            assert r.liquidation_distance_pct == pytest.approx(
                c["liquidation_distance_pct"], rel=1e-9
            )
            shown = fmt.pct(r.liquidation_distance_pct)
            assert f"{fmt.price(r.liquidation_price)}  " in card
            assert (f"PAST {shown}" if state == "past" else shown) in card
            assert fmt.pct(r.liquidation_distance_pct, decimals=0) in row
        danger = liquidation_danger(h, alerts)
        critical = state in ("past", "below_maintenance")
        assert (danger is Danger.CRIT) == critical, h.name
