"""Cost of ingesting recorded frame sequences, per venue: parse, parse + store, and the floor.

Each venue replays a RECORDED sequence, the frames a feed really receives, in order:

* ``<venue>``: 60 s of what ``hedgetui sim`` sends on the ``crash`` scenario to a client
  subscribed to BTC and ETH mark/index/funding (``benchmarks/frames/<venue>.jsonl.gz``,
  re-recorded with ``benchmarks/record_frames.py``): acks, snapshots and deltas as they come;
* ``bitmex-live``: the shape of BitMEX's real ``instrument`` stream, built deterministically here
  from the real frames in ../shared/exchanges/samples/bitmex: mostly partial-row updates (a trade's
  ``lastPrice``, a tick direction, ``fairPrice``+``markPrice``, ``markPrice`` alone) and one
  full mark update (mark and index together) in eight.

The first frames up to the first one with data (welcome, acks, the partial or snapshot) prime
the adapter and the store and are not timed; the rest is timed, forwards then backwards (so a
loop never jumps from the scenario's last price back to its first: the store's plausibility
gate would refuse that jump, which no real stream does). Timed, per frame:

* **floor**: ``orjson.loads(frame)``: the least any Python consumer of these bytes must do;
* **parse**: ``adapter.parse(frame)`` (the adapter's merge state included);
* **parse+store**: ``adapter.parse(frame)`` and ``Store.apply`` of every event, into a store
  holding one hedge per recorded instrument (its plausibility gate, history rings and funding
  accrual included), on a clock frozen at the recording's time: what the dashboard and
  ``hedgetui watch`` do for every frame.

All three run in this process on one core, interleaved (so machine noise hits them alike); the
best of several repeats is reported. Usage::

    .venv/bin/python benchmarks/ingest.py [--seconds 0.3] [--repeats 7] [--markdown]
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson

from hedgetui.config import HedgeSettings, ManualPosition, Settings
from hedgetui.domain import Event
from hedgetui.feeds import get_adapter
from hedgetui.store import Store
from hedgetui.venues import get_instrument

HERE = Path(__file__).resolve().parent
FRAMES = HERE / "frames"
SAMPLES = HERE.parents[1] / "shared" / "exchanges" / "samples"
COINS = {"XBT": "BTC", "BTC": "BTC", "ETH": "ETH"}


def recorded(venue: str) -> list[bytes]:
    """The simulator's frames for ``venue``, as recorded by ``record_frames.py``."""
    lines = gzip.decompress((FRAMES / f"{venue}.jsonl.gz").read_bytes()).decode().splitlines()
    return [json.loads(line).encode() for line in lines]


# --------------------------------------------------- BitMEX's real stream, from the real samples


def _iso(ms: int) -> str:
    return (
        datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"
    )


def _bitmex_rows(mark: float, index: float, ts: str) -> Iterator[dict[str, object]]:
    """One cycle of eight update rows in the real stream's shapes (``instrument`` table)."""
    full = orjson.loads(
        (SAMPLES / "bitmex/instrument_update_markPrice_testnet_2021.json").read_bytes()
    )
    trade = orjson.loads(
        (SAMPLES / "bitmex/instrument_update_lastPrice_testnet_2021.json").read_bytes()
    )
    tick = orjson.loads((SAMPLES / "bitmex/instrument_update_minimal_recorded.json").read_bytes())
    row = full["data"][0] | {"markPrice": mark, "fairPrice": mark, "indicativeSettlePrice": index}
    yield row | {"timestamp": ts}  # the full mark update (mark and index): 1 in 8
    yield trade["data"][0] | {"lastPrice": round(mark * 2) / 2, "timestamp": ts}
    yield {"symbol": "XBTUSD", "fairPrice": mark, "markPrice": mark, "timestamp": ts}
    yield tick["data"][0] | {"timestamp": ts}
    yield {"symbol": "XBTUSD", "markPrice": mark, "timestamp": ts}
    yield trade["data"][0] | {"lastPrice": round(mark * 2) / 2 + 0.5, "timestamp": ts}
    yield {"symbol": "XBTUSD", "fairPrice": mark, "markPrice": mark, "timestamp": ts}
    yield tick["data"][0] | {"lastTickDirection": "PlusTick", "timestamp": ts}


def bitmex_live() -> list[bytes]:
    """Welcome, ack, the real partial, then 800 partial-row updates 125 ms apart."""
    partial = orjson.loads(
        (SAMPLES / "bitmex/instrument_partial_XBTUSD_testnet_2021.json").read_bytes()
    )
    row = partial["data"][0]
    start = int(datetime.fromisoformat(row["timestamp"]).timestamp() * 1000)
    frames = [
        (SAMPLES / "bitmex/welcome_testnet.json").read_bytes(),
        (SAMPLES / "bitmex/subscribe_ack_single_arg.json").read_bytes(),
        orjson.dumps(partial),
    ]
    mark, index = float(row["markPrice"]), float(row["indicativeSettlePrice"])
    for cycle in range(100):
        drift = ((cycle * 37) % 21 - 10) * 0.5  # a deterministic wander of a few dollars
        at = start + cycle * 1000
        rows = _bitmex_rows(round(mark + drift, 2), round(index + drift, 2), _iso(at))
        for i, r in enumerate(rows):
            r["timestamp"] = _iso(at + i * 125)
            frames.append(orjson.dumps({"table": "instrument", "action": "update", "data": [r]}))
    return frames


VENUES: dict[str, tuple[str, Callable[[], list[bytes]]]] = {
    # row name: (venue, its frame sequence)
    "bitmex-live": ("bitmex", bitmex_live),
    "bitmex": ("bitmex", lambda: recorded("bitmex")),
    "bybit": ("bybit", lambda: recorded("bybit")),
    "binance": ("binance", lambda: recorded("binance")),
    "deribit": ("deribit", lambda: recorded("deribit")),
    "okx": ("okx", lambda: recorded("okx")),
    "kraken": ("kraken", lambda: recorded("kraken")),
}


# ------------------------------------------------------------------------------- the store


class FrozenWall:
    """The recording's wall time (the gate checks exchange times against it), real monotonic."""

    def __init__(self, wall: float) -> None:
        self._wall = wall

    def time(self) -> float:
        return self._wall

    def monotonic(self) -> float:
        return time.monotonic()


def store_for(venue: str, events: list[Event]) -> Store:
    """A store with one hand-entered hedge per instrument in ``events``, at their median time."""
    hedges: dict[str, HedgeSettings] = {}
    times = [e.ts for e in events if getattr(e, "ts", None) is not None]
    for e in events:
        symbol = getattr(e, "symbol", "")
        try:
            profile = get_instrument(venue, symbol)
        except (KeyError, ValueError):
            continue  # an index symbol
        coin = next(c for k, c in COINS.items() if k in symbol.upper())
        entry = 60_000.0 if coin == "BTC" else 3_000.0
        hedges[symbol] = HedgeSettings(
            name=f"{venue}-{symbol}",
            coin=coin,
            venue=venue,
            symbol=profile.symbol,
            position=ManualPosition(side="short", contracts=100, entry=entry, collateral=1.0),
        )
    wall = statistics.median(times) / 1000 if times else time.time()
    return Store(Settings(hedges=tuple(hedges.values())), clock=FrozenWall(wall))


# ------------------------------------------------------------------------------ measuring


def calibrate(run: Callable[[list[bytes]], None], batch: list[bytes], seconds: float) -> int:
    """How many passes over ``batch`` take about ``seconds``."""
    loops = 1
    while True:
        start = time.perf_counter()
        for _ in range(loops):
            run(batch)
        if time.perf_counter() - start > seconds:
            return loops
        loops *= 2


def best_times(
    runs: list[Callable[[list[bytes]], None]], batch: list[bytes], seconds: float, repeats: int
) -> list[float]:
    """Best time per frame of each run; the runs are interleaved so machine noise hits all alike."""
    loops = [calibrate(run, batch, seconds / 4) for run in runs]
    best = [float("inf")] * len(runs)
    for _ in range(repeats):
        for i, run in enumerate(runs):
            gc.collect()
            start = time.perf_counter()
            for _ in range(loops[i]):
                run(batch)
            best[i] = min(best[i], (time.perf_counter() - start) / (loops[i] * len(batch)))
    return best


@dataclass(frozen=True)
class Result:
    frames: int  # timed frames in the sequence
    frame_bytes: int  # their mean size
    events_per_frame: float
    floor: float  # seconds per frame
    parse: float
    parse_store: float
    refused: int  # values the store's gate refused while timed (0: the replay is plausible)


def split(venue: str, frames: list[bytes]) -> tuple[list[bytes], list[bytes]]:
    """(the frames up to the first with data: priming, the rest: timed)."""
    adapter = get_adapter(venue)
    for i, f in enumerate(frames):
        if adapter.parse(f):
            return frames[: i + 1], frames[i + 1 :]
    raise SystemExit(f"{venue}: no frame with data")


def measure(venue: str, frames: list[bytes], seconds: float, repeats: int) -> Result:
    prime, timed = split(venue, frames)
    batch = timed + timed[::-1]
    parser_only, parser_stored = get_adapter(venue), get_adapter(venue)
    events: list[Event] = []
    for f in frames:
        events += parser_only.parse(f)
    store = store_for(venue, events)
    for f in prime:
        for e in parser_stored.parse(f):
            store.apply(e)
    parse, parse_s, apply, loads = parser_only.parse, parser_stored.parse, store.apply, orjson.loads

    def floor_run(batch: list[bytes]) -> None:
        for f in batch:
            loads(f)

    def parse_run(batch: list[bytes]) -> None:
        for f in batch:
            parse(f)

    def store_run(batch: list[bytes]) -> None:
        for f in batch:
            for e in parse_s(f):
                apply(e)

    before = sum(store.refused_counts().values())
    t_floor, t_parse, t_store = best_times(
        [floor_run, parse_run, store_run], batch, seconds, repeats
    )
    refused = sum(store.refused_counts().values()) - before
    counter = get_adapter(venue)
    for f in prime:
        counter.parse(f)
    n_events = sum(len(counter.parse(f)) for f in timed)
    return Result(
        frames=len(timed),
        frame_bytes=sum(len(f) for f in timed) // len(timed),
        events_per_frame=n_events / len(timed),
        floor=t_floor,
        parse=t_parse,
        parse_store=t_store,
        refused=refused,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.3, help="time per measurement")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()
    cols = (
        "sequence", "frames", "bytes", "ev/frame", "floor µs", "parse µs", "parse+store µs",
        "store µs", "parse/floor", "parse+store/floor", "refused",
    )  # fmt: skip
    if args.markdown:
        print("| " + " | ".join(cols) + " |")
        print("|" + "|".join(["---"] + ["---:"] * (len(cols) - 1)) + "|")
    else:
        print(f"{cols[0]:12} {cols[1]:>6} {cols[2]:>5} " + " ".join(f"{c:>9}" for c in cols[3:]))
    worst = worst_parse = 0.0
    for name, (venue, make) in VENUES.items():
        r = measure(venue, make(), args.seconds, args.repeats)
        ratio_p, ratio_s = r.parse / r.floor, r.parse_store / r.floor
        worst, worst_parse = max(worst, ratio_s), max(worst_parse, ratio_p)
        cells = (
            f"{r.events_per_frame:.2f}", f"{r.floor * 1e6:.2f}", f"{r.parse * 1e6:.2f}",
            f"{r.parse_store * 1e6:.2f}", f"{(r.parse_store - r.parse) * 1e6:.2f}",
            f"{ratio_p:.2f}x", f"{ratio_s:.2f}x", str(r.refused),
        )  # fmt: skip
        if args.markdown:
            print(f"| {name} | {r.frames} | {r.frame_bytes} | " + " | ".join(cells) + " |")
        else:
            print(
                f"{name:12} {r.frames:6d} {r.frame_bytes:5d} " + " ".join(f"{c:>9}" for c in cells)
            )
    print(f"\nworst parse+store / floor: {worst:.2f}x; worst parse / floor: {worst_parse:.2f}x")


if __name__ == "__main__":
    main()
