"""The REST side attached to the websocket simulator: URLs registered, fills at its mark."""

from __future__ import annotations

import httpx
import pytest

from hedgetui.clock import ManualClock
from hedgetui.sim import start_simulator
from hedgetui.sim.rest.attach import attach_rest_servers
from tests.sim.rest.test_simrest_venues import Client, _bybit_order, _deribit_order


async def test_attached_rest_servers_fill_at_the_simulators_mark() -> None:
    clock = ManualClock(1_750_000_000.0)
    sim = await start_simulator(
        venues=("bybit", "deribit"), scenario="calm", clock=clock, control=False
    )
    side = await attach_rest_servers(sim, clock=clock)
    try:
        assert sim.rest_url("bybit") == side.url("bybit")
        assert sim.rest_url("deribit") == side.url("deribit")
        side.accounts.set_position("bybit", "BTCUSD", -500, 70_000.0)
        side.accounts.set_position("deribit", "BTC-PERPETUAL", -50, 70_000.0)
        mark = sim.price("BTC")[0]
        for venue, order in (("bybit", _bybit_order), ("deribit", _deribit_order)):
            async with httpx.AsyncClient(base_url=side.url(venue)) as http:
                response = await Client(venue, http, clock).call(
                    *order("sim-1", "buy", 20, None, True)
                )
            assert response.status_code == 200, response.text
            [logged] = side.accounts.orders(venue)
            assert logged["avg_price"] == pytest.approx(mark)
        assert side.accounts.position("bybit", "BTCUSD") == -480
        assert side.accounts.position("deribit", "BTC-PERPETUAL") == -30
    finally:
        await side.close()
        await sim.close()
