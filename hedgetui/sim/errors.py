"""The simulator's one error for bad arguments (raised by the facade and the scheduler)."""

from __future__ import annotations


class SimulatorError(ValueError):
    """Bad arguments to the simulator (unknown venue, scenario, fault...)."""
