"""`hedgetui demo`: the dashboard on the built-in exchange simulator, no keys, no network.

The simulator runs with its REST side and private streams, its books seeded with the demo
portfolio: each hedge's position streams in from a demo account, as with real keys, and an
unwind from the dashboard (`u`) sends a signed reduce-only order to the simulator.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

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
    parser.add_argument(
        "--theme", default=None, help="dark, light, high-contrast or a theme of your own"
    )
    parser.add_argument(
        "--tick-hz", default=None, help="frames per second per instrument (default: per venue)"
    )
    parser.add_argument(
        "--replay",
        metavar="FILE",
        default=None,
        help="play a recording (hedgetui record) instead of a scenario, at --speed, on the "
        "recording's clock; the demo hedges of the recorded instruments are shown",
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
        if args.replay is None and args.scenario not in scenario_names():
            known = ", ".join(scenario_names())
            raise ValueError(f"--scenario: unknown scenario {args.scenario!r} (known: {known})")
        problem = theme_problem(args.theme)  # and the user's themes, in the user config dir
        if problem is not None:
            raise ValueError(problem)
    except ValueError as exc:
        print(f"hedgetui demo: {exc}", file=sys.stderr)
        return 2

    from hedgetui import event_loop

    if args.replay is not None:
        from hedgetui.history.recording import RecordingError

        try:
            return event_loop.run(_replay(Path(args.replay), speed, args.theme, ascii_choice(args)))
        except RecordingError as exc:
            print(f"hedgetui demo: --replay: {exc}", file=sys.stderr)
            return 2
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


async def _replay(path: Path, speed: float, theme: str | None, ascii: bool | None) -> int:
    """The dashboard on a recording: the replay server (``sim.replay``), the demo hedges of
    the recorded instruments sized at the recording's first prices, and a runtime on the
    recording's clock (``history.replay``); "REPLAY ended" when it is over."""
    import asyncio
    import contextlib
    import dataclasses

    from hedgetui.demo.portfolio import demo_settings
    from hedgetui.history.recording_prices import first_marks
    from hedgetui.history.replay import replay_feed_config
    from hedgetui.runtime import Runtime
    from hedgetui.sim.replay import ReplayServer
    from hedgetui.sim.scenarios import get_scenario
    from hedgetui.ui.launch import run_dashboard

    def warn(line: str) -> None:
        print(f"hedgetui demo: {line}", file=sys.stderr)

    server = ReplayServer(path, speed=speed, warn=warn)
    marks = first_marks(path, warn=warn)
    crash = get_scenario("crash")
    btc = _first(marks, ("XBTUSD", "BTCUSD", "BTC-PERPETUAL")) or crash.initial("BTC").mark
    eth = _first(marks, ("ETH-USD-SWAP",)) or crash.initial("ETH").mark
    await server.start()
    try:
        recorded = {(v, s) for v, ss in server.header.symbols.items() for s in ss}
        settings = demo_settings(btc, eth, {v: server.ws_url(v) for v in server.venues})
        hedges = tuple(h for h in settings.hedges if (h.venue, h.symbol) in recorded)
        settings = dataclasses.replace(settings, hedges=hedges)
        runtime = Runtime(
            settings,
            clock=server.clock,
            extra_venues=server.venues,
            feed_config=replay_feed_config(None, speed),
        )

        async def play(app: Any) -> None:
            app.notify(f"REPLAY of {path.name} at {speed:g}x", title="replay", timeout=6)
            await server.play()
            app.notify(
                "REPLAY ended: no more data, the feeds go stale",
                title="replay",
                severity="warning",
                timeout=86_400,
            )

        with contextlib.suppress(asyncio.CancelledError):
            return await run_dashboard(runtime, theme=theme, ascii=ascii, companion=play)
        return 0
    finally:
        await server.close()


def _first(marks: Mapping[tuple[str, str], float], symbols: Sequence[str]) -> float | None:
    for (_venue, symbol), mark in marks.items():
        if symbol in symbols:
            return mark
    return None
