"""Alerts with no UI: the loops behind `hedgetui watch` and `hedgetui status`.

Both run the same pieces as the dashboard - settings -> ``Runtime`` (feeds -> store) ->
``AlertEngine`` -> ``AlertDispatcher`` - and print instead of drawing.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import signal
from collections.abc import Awaitable, Callable, Iterator

import orjson

from hedgetui.alerts.engine import AlertEngine
from hedgetui.alerts.model import Alert
from hedgetui.alerts.report import event_line, status_line, status_record
from hedgetui.alerts.sinks import AlertDispatcher
from hedgetui.clock import SYSTEM_CLOCK, Clock
from hedgetui.config import Settings
from hedgetui.domain import DashboardView, FeedState, Freshness
from hedgetui.store import Store

Emit = Callable[[str], None]

EVAL_EVERY_S = 0.25
"""``hedgetui watch`` evaluates its alerts this often, and reads the feeds' sockets in passes
this far apart (``feeds.read_gate``): one wake-up per pass, not one per frame."""


class SetupError(Exception):
    """One line for the user: a config mistake or no config at all."""


def load_base_settings(config: str | None, *, demo: bool) -> Settings:
    """The config's settings, with the ``HEDGETUI_*`` environment overrides. With ``demo``, a
    config is optional (its [alerts] and [freshness] judge the demo portfolio; without one,
    the defaults and the environment do); without ``demo``, one must exist."""
    from hedgetui.config import ConfigError, load_settings, resolve_config_path
    from hedgetui.config.paths import searched_paths

    path = resolve_config_path(config, os.environ)
    if path is None and not demo:
        looked = "; ".join(searched_paths(config, os.environ))
        raise SetupError(
            f"no config file found ({looked}). Try --demo, or start from examples/hedgetui.toml"
        )
    try:
        return load_settings(path, env=os.environ)
    except ConfigError as exc:
        raise SetupError(str(exc)) from None


def with_alert_settings(demo: Settings, base: Settings) -> Settings:
    """The demo portfolio judged by ``base``'s [alerts] and [freshness] (``--demo --config``)."""
    hedges = tuple(dataclasses.replace(h, alerts=base.alerts) for h in demo.hedges)
    return dataclasses.replace(demo, alerts=base.alerts, freshness=base.freshness, hedges=hedges)


def json_line(record: dict[str, object]) -> str:
    return orjson.dumps(record).decode()


def json_summary(status: int, other: int) -> str:
    """The JSON form of "N lines dropped" (see ``hedgetui.alerts.output``)."""
    return json_line({"type": "dropped", "status_lines": status, "other_lines": other})


@contextlib.contextmanager
def stop_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """SIGTERM and SIGINT set ``stop`` (clean exit 0) instead of raising."""
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread / Windows
            pass
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


async def watch_loop(
    store: Store,
    engine: AlertEngine,
    dispatcher: AlertDispatcher,
    emit: Emit,
    *,
    json_mode: bool,
    interval_s: float,
    stop: asyncio.Event,
    duration_s: float | None = None,
    clock: Clock | None = None,
    eval_every_s: float = EVAL_EVERY_S,
    emit_status: Emit | None = None,
    passed: Callable[[], Awaitable[None]] | None = None,
    observe: Callable[[DashboardView, list[Alert]], None] | None = None,
) -> None:
    """Evaluate the alerts a few times a second, print each event as it happens and a status
    line every ``interval_s``, until ``stop`` is set or ``duration_s`` has passed.

    ``passed``: when the feeds are read in passes (``Runtime.read_in_passes(eval_every_s)``),
    the gate's ``passed``: each evaluation then follows a pass at once, so a frame is evaluated
    within one period of its arrival, as without passes (if no pass comes within two periods,
    it evaluates anyway). Events go to ``emit``, status lines to ``emit_status`` (default
    ``emit``): the watcher gives status lines a queue that may drop them, never events.
    ``observe``: called with each evaluation's view and active alerts (the metrics exporter)."""
    clock = clock or SYSTEM_CLOCK
    status_out = emit if emit_status is None else emit_status
    started = clock.monotonic()
    next_status = started + interval_s
    printed = False
    while not stop.is_set():
        view = store.snapshot()
        events = engine.evaluate(view)
        dispatcher.submit(events)
        if observe is not None:
            observe(view, engine.active())
        for event in events:
            emit(json_line(event.to_json()) if json_mode else event_line(event))
        now = clock.monotonic()
        printed = now >= next_status
        if printed:
            _emit_status(status_out, view, engine.active(), dispatcher.problems(), json_mode)
            next_status = now + interval_s
        if duration_s is not None and now - started >= duration_s:
            break
        with contextlib.suppress(TimeoutError):
            if passed is None:
                await asyncio.wait_for(stop.wait(), eval_every_s)
            else:  # stop is seen after the next pass, at most a period later
                await asyncio.wait_for(passed(), 2 * eval_every_s)
    if not printed:  # always end on a status line
        snapshot = store.snapshot()
        _emit_status(status_out, snapshot, engine.active(), dispatcher.problems(), json_mode)


def _emit_status(
    emit: Emit, view: DashboardView, alerts: list[Alert], problems: list[str], json_mode: bool
) -> None:
    if json_mode:
        record = status_record(view, alerts)
        record["sink_problems"] = problems
        emit(json_line(record))
    else:
        line = status_line(view, alerts)
        emit(f"{line} | sinks failing: {'; '.join(problems)}" if problems else line)


def has_all_data(view: DashboardView) -> bool:
    """Every hedge has a risk report from fresh inputs, and every feed it needs is live."""
    needed = {h.venue for h in view.hedges}
    for h in view.hedges:
        inputs = (h.mark_freshness, h.index_freshness, h.funding_freshness, h.position_freshness)
        if h.report is None or h.stale or Freshness.NONE in inputs:
            return False
    return all(f.state == FeedState.LIVE for f in view.feeds if f.venue in needed)


async def wait_for_data(
    store: Store, timeout_s: float, *, poll_s: float = 0.05, clock: Clock | None = None
) -> DashboardView:
    """Snapshots until every hedge has data (or ``timeout_s`` passes); the last snapshot."""
    clock = clock or SYSTEM_CLOCK
    deadline = clock.monotonic() + timeout_s
    view = store.snapshot()
    while not has_all_data(view) and clock.monotonic() < deadline:
        await asyncio.sleep(poll_s)
        view = store.snapshot()
    return view
