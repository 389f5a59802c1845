"""Record the simulator's feeds, replay the recording through the real protocol, and see the
same numbers and the same feed states at the same recorded times (real feeds, real servers,
loopback; the replaying session runs on the recording's clock)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from pathlib import Path

from hedgetui.clock import SYSTEM_CLOCK, Clock
from hedgetui.config import Settings
from hedgetui.demo import demo_environment
from hedgetui.domain import FeedState
from hedgetui.feeds.loop_config import FeedConfig
from hedgetui.history.recorder import record_feeds
from hedgetui.history.recording import Closed, Frame, RecordingWriter, read_entries
from hedgetui.history.replay import replay_feed_config
from hedgetui.runtime import Runtime
from hedgetui.sim.replay import ReplayServer
from hedgetui.store import Store

VENUES = ("bitmex", "bybit")
FAST = FeedConfig(stale_after_s=1.0, idle_timeout_s=30.0, backoff_initial_s=0.2)
SAMPLE_S = 0.02

Values = tuple[tuple[str, float | None, float | None, float | None], ...]
States = tuple[tuple[str, FeedState], ...]


def _only(settings: Settings) -> Settings:
    hedges = tuple(h for h in settings.hedges if h.venue in VENUES)
    return dataclasses.replace(settings, hedges=hedges)


def _values(store: Store) -> Values:
    view = store.snapshot()
    return tuple(
        sorted((h.name, h.mark, h.index, h.funding_rate) for h in view.hedges if h.venue in VENUES)
    )


def _states(store: Store) -> States:
    view = store.snapshot()
    return tuple((f.venue, f.state) for f in view.feeds if f.venue in VENUES)


async def _sample(
    store: Store, clock: Clock, stop: asyncio.Event, out: list[tuple[float, Values, States]]
) -> None:
    while not stop.is_set():
        out.append((clock.time(), _values(store), _states(store)))
        await asyncio.sleep(SAMPLE_S)


async def _record(
    path: Path, seconds: float, faults: Callable[[object], object] | None = None
) -> tuple[Settings, list[tuple[float, Values, States]]]:
    async with demo_environment("crash", speed=30.0, tick_hz=10) as (sim, settings):
        settings = _only(settings)
        plan = {h.venue: (h.symbol,) for h in settings.hedges}
        store = Store(settings, extra_venues=VENUES)
        samples: list[tuple[float, Values, States]] = []
        stop = asyncio.Event()
        writer = RecordingWriter(path, VENUES, plan)
        sampler = asyncio.create_task(_sample(store, SYSTEM_CLOCK, stop, samples))
        script = asyncio.create_task(faults(sim)) if faults else None  # type: ignore[arg-type]
        try:
            urls = {v: sim.ws_url(v) for v in VENUES}
            await record_feeds(
                plan, writer, urls=urls, duration_s=seconds, feed_config=FAST, sink=store.apply
            )
        finally:
            stop.set()
            await sampler
            samples.append((SYSTEM_CLOCK.time(), _values(store), _states(store)))  # all in
            if script is not None:
                script.cancel()
            writer.close()
        return settings, samples


async def _replay_sampled(
    path: Path, settings: Settings, speed: float
) -> list[tuple[float, Values, States]]:
    server = ReplayServer(path, speed=speed)
    await server.start()
    samples: list[tuple[float, Values, States]] = []
    try:
        urls = {v: server.ws_url(v) for v in VENUES}
        runtime = Runtime(
            settings,
            clock=server.clock,
            url_overrides=urls,
            feed_config=replay_feed_config(FAST, speed),
        )
        stop = asyncio.Event()
        async with runtime as rt:
            sampler = asyncio.create_task(_sample(rt.store, server.clock, stop, samples))
            await server.play()
            await asyncio.sleep(0.3)  # the last frames reach the store
            stop.set()
            await sampler
    finally:
        await server.close()
    return samples


def _seen_near(
    recorded: list[tuple[float, Values, States]], t: float, value: Values, slack: float
) -> bool:
    return any(abs(rt - t) <= slack and rv == value for rt, rv, _ in recorded)


async def test_a_recording_of_the_simulator_replays_to_the_same_numbers(tmp_path: Path) -> None:
    path = tmp_path / "crash.jsonl.gz"
    settings, recorded = await _record(path, 3.0)
    frames = [e for e in read_entries(path) if isinstance(e, Frame)]
    assert {f.venue for f in frames} == set(VENUES)
    replayed = await _replay_sampled(path, settings, speed=2.0)
    distinct = {v for _, v, _ in replayed if all(x[1] is not None for x in v)}
    assert len(distinct) >= 10  # the crash moved: many different numbers were shown
    # every full set of numbers the replayed store showed, the recording store showed at the
    # same recorded time (within the sampling and scheduling slack)
    end = recorded[-1][0]
    for t, value, _ in replayed:
        if t <= end and all(x[1] is not None for x in value):
            assert _seen_near(recorded, t, value, slack=0.4), (t, value)
    last_recorded = recorded[-1][1]
    assert replayed[-1][1] == last_recorded


async def test_a_stall_and_a_drop_replay_to_the_same_feed_states(tmp_path: Path) -> None:
    path = tmp_path / "faults.jsonl.gz"

    async def faults(sim: object) -> None:
        await asyncio.sleep(1.0)
        await sim.fault("bitmex", "stall", seconds=2.0)  # type: ignore[attr-defined]
        await asyncio.sleep(2.5)
        await sim.fault("bybit", "drop")  # type: ignore[attr-defined]

    settings, recorded = await _record(path, 5.0, faults)
    closes = [e for e in read_entries(path) if isinstance(e, Closed) and not e.stop]
    assert [c.venue for c in closes] == ["bybit"], closes
    replayed = await _replay_sampled(path, settings, speed=1.0)

    def spans(
        samples: list[tuple[float, Values, States]], venue: str, state: FeedState
    ) -> list[float]:
        return [t for t, _, states in samples if (venue, state) in states]

    rec_stale = spans(recorded, "bitmex", FeedState.STALE)
    rep_stale = spans(replayed, "bitmex", FeedState.STALE)
    assert rec_stale and rep_stale
    assert abs(rec_stale[0] - rep_stale[0]) < 0.5
    assert abs(rec_stale[-1] - rep_stale[-1]) < 0.5
    rec_down = [
        t for t, _, s in recorded if ("bybit", FeedState.LIVE) not in s and t > recorded[0][0] + 2
    ]
    rep_down = [
        t for t, _, s in replayed if ("bybit", FeedState.LIVE) not in s and t > replayed[0][0] + 2
    ]
    assert rec_down and rep_down
    assert abs(rec_down[0] - rep_down[0]) < 0.5
