"""`hedgetui demo`: the dashboard on the built-in exchange simulator, no keys, no network.

The simulator runs with its REST side and private streams, its books seeded with the demo
portfolio: each hedge's position streams in from a demo account, as with real keys, and an
unwind from the dashboard (`u`) sends a signed reduce-only order to the simulator.
"""

from __future__ import annotations

import argparse
import math
import sys

from hedgetui.commands.args import (
    MAX_SPEED,
    MAX_TICK_HZ,
    add_ascii_flag,
    ascii_choice,
    theme_problem,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scenario",
        default="crash",
        help="price path: crash (default), funding-flip, stall, calm, or real history "
        "black-thursday, may19, celsius, ftx",
    )
    parser.add_argument(
        "--speed",
        default="1",
        help="scenario seconds per real second (default 1; 10-60 to watch a whole crash in a "
        "minute or two; history scenarios are long: try 600)",
    )
    parser.add_argument("--theme", default=None, help="dark, light or high-contrast")
    parser.add_argument(
        "--tick-hz", default=None, help="frames per second per instrument (default: per venue)"
    )
    add_ascii_flag(parser)


def _positive(text: str, flag: str, maximum: float) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{flag}: not a number: {text!r}") from None
    if not math.isfinite(value) or value <= 0 or value > maximum:
        raise ValueError(f"{flag}: must be > 0 and <= {maximum:g}, got {text}")
    return value


def run(args: argparse.Namespace) -> int:
    from hedgetui.sim.scenarios import scenario_names

    try:
        speed = _positive(args.speed, "--speed", MAX_SPEED)
        tick_hz = None
        if args.tick_hz is not None:
            tick_hz = _positive(args.tick_hz, "--tick-hz", MAX_TICK_HZ)
        if args.scenario not in scenario_names():
            known = ", ".join(scenario_names())
            raise ValueError(f"--scenario: unknown scenario {args.scenario!r} (known: {known})")
        problem = theme_problem(args.theme)
        if problem is not None:
            raise ValueError(problem)
    except ValueError as exc:
        print(f"hedgetui demo: {exc}", file=sys.stderr)
        return 2

    from hedgetui import event_loop

    return event_loop.run(_demo(args.scenario, speed, args.theme, tick_hz, ascii_choice(args)))


async def _demo(
    scenario: str, speed: float, theme: str | None, tick_hz: float | None, ascii: bool | None
) -> int:
    from hedgetui.demo import demo_exchange
    from hedgetui.domain import VENUES
    from hedgetui.ui.launch import run_dashboard

    async with demo_exchange(scenario, speed, tick_hz=tick_hz) as exchange:
        return await run_dashboard(
            exchange.runtime(extra_venues=VENUES, funding_history=True), theme=theme, ascii=ascii
        )
