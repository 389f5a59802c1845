"""The built-in exchange simulator: local servers speaking each venue's real websocket protocol.

    async with await start_simulator(scenario="crash", speed=10) as sim:
        url = sim.ws_url("bybit")          # ws://127.0.0.1:PORT/v5/public/inverse
        await sim.fault("bybit", "stall", seconds=5)

See ``docs/simulator.md`` for the protocols, scenarios and fault kinds.
"""

from __future__ import annotations

from hedgetui.sim.faults import FAULT_KINDS
from hedgetui.sim.scenario_csv import load_csv_scenario
from hedgetui.sim.scenarios import (
    Scenario,
    ScenarioError,
    ScenarioPoint,
    ScheduledFault,
    get_scenario,
    scenario_names,
)
from hedgetui.sim.server import PROTOCOLS, Simulator, SimulatorError, start_simulator

VENUES: tuple[str, ...] = tuple(PROTOCOLS)

__all__ = [
    "FAULT_KINDS",
    "VENUES",
    "Scenario",
    "ScenarioError",
    "ScenarioPoint",
    "ScheduledFault",
    "Simulator",
    "SimulatorError",
    "get_scenario",
    "load_csv_scenario",
    "scenario_names",
    "start_simulator",
]
