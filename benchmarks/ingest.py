"""Cost of ingesting recorded frame sequences, per venue: parse, parse + store, and their floors.

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
gate would refuse that jump, which no real stream does). Timed, per frame, on the same frames:

* **loads**: ``orjson.loads(frame)`` alone: decoding the bytes, nothing read;
* **floor**: loads plus reading, with plain ``float()``/``int()``, the fields the venue's adapter
  reads from that frame shape: the instrument, the exchange time (BitMEX's ISO timestamps via
  ``datetime.fromisoformat``), mark, index and the funding fields, each only when the frame
  carries it (a BitMEX or Bybit partial row: only the fields present). No events, no checks, no
  state: the least any Python parser must do with these bytes to know their values;
* **floor+state**: the floor plus keeping the latest values with freshness, the least any Python
  store must do: one dict write of (value, exchange time, receive time) keyed
  (venue, symbol, field) per value read, the receive time read once per frame
  (``time.monotonic()``); on the delta streams (BitMEX, Bybit), where a row confirms the values
  it does not change as of its time, also one write of (exchange time, receive time) keyed
  (venue, symbol, "ts") per row;
* **parse**: ``adapter.parse(frame)`` (the adapter's merge state included);
* **parse+store**: ``adapter.parse(frame)`` and ``Store.apply`` of every event, into a store
  holding one hedge per recorded instrument, on a clock frozen at the recording's time: what
  the dashboard and ``hedgetui watch`` do for every frame;
* **gate**: what the store's plausibility gate adds to parse+store: parse+store minus the same
  run on a store whose gate believes everything (``PassThrough``, as ``plausibility.py``
  measures it; a benchmark-only substitution, there is no production switch).

The honest comparisons are therefore parse / floor (what hedgetui's adapters add to reading the
same fields: dispatch, the wire-band checks on every value, the merge of partial rows, building
the events) and parse+store / floor+state (what hedgetui adds to keeping the same latest values
with a receive time). The store does more than floor+state, and that is part of the ratio: the
plausibility gate (its cost is the gate column), a history ring per hedge for the sparklines
(one bucket compare and a write or an append per mark and per funding rate), the funding
accrual's due-time check, the venue's last-data time and the change version; and a partial
row's event re-confirms the merged mark and index, where floor+state writes only the row's time.

All runs happen in this process on one core, interleaved (so machine noise hits them alike); the
best of several repeats is reported. Usage::

    .venv/bin/python benchmarks/ingest.py [--seconds 0.3] [--repeats 7] [--markdown] [--only SEQ...]
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
from plausibility import PassThrough  # benchmarks/plausibility.py: the gate that believes all

from hedgetui.config import HedgeSettings, ManualPosition, Settings
from hedgetui.domain import Event
from hedgetui.feeds import get_adapter
from hedgetui.plausibility_gate import Rules
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


# ------------------------------------------------ floors: loads + the same fields (+ the state)

State = dict[tuple[str, str, str], tuple[object, ...]]
Floor = Callable[[bytes, "State | None"], None]
_loads, _monotonic, _iso_time = orjson.loads, time.monotonic, datetime.fromisoformat


def floor_bitmex(f: bytes, state: State | None) -> None:
    """instrument rows: markPrice, indicativeSettlePrice, the funding fields, each if present
    (an index row: lastPrice); funding rows: fundingRate and fundingInterval; every row's
    ISO timestamp."""
    m = _loads(f)
    data = m.get("data")
    if data is None:
        return
    now = _monotonic() if state is not None else 0.0
    for r in data:
        symbol = r["symbol"]
        t = r.get("timestamp")
        ts = None if t is None else int(_iso_time(t).timestamp() * 1000)
        if state is not None:
            state[("bitmex", symbol, "ts")] = (ts, now)
        for k in ("markPrice", "indicativeSettlePrice", "fundingRate", "indicativeFundingRate"):
            if k in r:
                v = float(r[k])
                if state is not None:
                    state[("bitmex", symbol, k)] = (v, ts, now)
        if symbol[0] == "." and "lastPrice" in r:
            v = float(r["lastPrice"])
            if state is not None:
                state[("bitmex", symbol, "lastPrice")] = (v, ts, now)
        for k in ("fundingTimestamp", "fundingInterval"):
            if k in r:
                at = _iso_time(r[k]).timestamp()
                if state is not None:
                    state[("bitmex", symbol, k)] = (at, ts, now)


def floor_bybit(f: bytes, state: State | None) -> None:
    """A ticker snapshot or delta: markPrice, indexPrice, fundingRate, nextFundingTime,
    fundingIntervalHour, each if present (and not ""), and the frame's ts."""
    m = _loads(f)
    d = m.get("data")
    if d is None:
        return
    symbol = d["symbol"]
    ts = int(m["ts"])
    now = _monotonic() if state is not None else 0.0
    if state is not None:
        state[("bybit", symbol, "ts")] = (ts, now)
    for k in ("markPrice", "indexPrice", "fundingRate", "fundingIntervalHour"):
        raw = d.get(k)
        if raw:
            v = float(raw)
            if state is not None:
                state[("bybit", symbol, k)] = (v, ts, now)
    raw = d.get("nextFundingTime")
    if raw:
        at = int(raw)
        if state is not None:
            state[("bybit", symbol, "nextFundingTime")] = (at, ts, now)


def floor_binance(f: bytes, state: State | None) -> None:
    """A markPriceUpdate: s, E, p, i, r, T."""
    d = _loads(f)["data"]
    symbol, ts = d["s"], int(d["E"])
    mark, index, rate, next_time = float(d["p"]), float(d["i"]), float(d["r"]), int(d["T"])
    if state is not None:
        now = _monotonic()
        state[("binance", symbol, "mark")] = (mark, ts, now)
        state[("binance", symbol, "index")] = (index, ts, now)
        state[("binance", symbol, "rate")] = (rate, ts, now)
        state[("binance", symbol, "next")] = (next_time, ts, now)


def floor_deribit(f: bytes, state: State | None) -> None:
    """A ticker notification: instrument_name, timestamp, mark_price, index_price, funding_8h."""
    params = _loads(f).get("params")
    if params is None:
        return
    d = params["data"]
    symbol, ts = d["instrument_name"], int(d["timestamp"])
    mark, index, rate = float(d["mark_price"]), float(d["index_price"]), float(d["funding_8h"])
    if state is not None:
        now = _monotonic()
        state[("deribit", symbol, "mark")] = (mark, ts, now)
        state[("deribit", symbol, "index")] = (index, ts, now)
        state[("deribit", symbol, "rate")] = (rate, ts, now)


def floor_okx(f: bytes, state: State | None) -> None:
    """mark-price: markPx; index-tickers: idxPx; funding-rate: fundingRate, fundingTime,
    nextFundingTime, nextFundingRate (if not ""); each item's instId and ts."""
    m = _loads(f)
    data = m.get("data")
    if data is None:
        return
    channel = m["arg"]["channel"]
    now = _monotonic() if state is not None else 0.0
    for d in data:
        symbol, ts = d["instId"], int(d["ts"])
        if channel == "mark-price":
            v = float(d["markPx"])
            if state is not None:
                state[("okx", symbol, "mark")] = (v, ts, now)
        elif channel == "index-tickers":
            v = float(d["idxPx"])
            if state is not None:
                state[("okx", symbol, "index")] = (v, ts, now)
        else:
            rate, this_time = float(d["fundingRate"]), int(d["fundingTime"])
            next_time = int(d["nextFundingTime"])
            predicted = float(d["nextFundingRate"]) if d["nextFundingRate"] else None
            if state is not None:
                state[("okx", symbol, "rate")] = (rate, ts, now)
                state[("okx", symbol, "time")] = (this_time, ts, now)
                state[("okx", symbol, "next")] = (next_time, ts, now)
                state[("okx", symbol, "predicted")] = (predicted, ts, now)


def floor_kraken(f: bytes, state: State | None) -> None:
    """A ticker push: product_id, time, markPrice, index, relative_funding_rate(_prediction),
    next_funding_rate_time."""
    d = _loads(f)
    if d.get("feed") != "ticker" or "event" in d:
        return
    symbol, ts = d["product_id"], int(d["time"])
    mark, index = float(d["markPrice"]), float(d["index"])
    rate = float(d["relative_funding_rate"])
    predicted = float(d["relative_funding_rate_prediction"])
    next_time = int(d["next_funding_rate_time"])
    if state is not None:
        now = _monotonic()
        state[("kraken", symbol, "mark")] = (mark, ts, now)
        state[("kraken", symbol, "index")] = (index, ts, now)
        state[("kraken", symbol, "rate")] = (rate, ts, now)
        state[("kraken", symbol, "predicted")] = (predicted, ts, now)
        state[("kraken", symbol, "next")] = (next_time, ts, now)


FLOORS: dict[str, Floor] = {
    "bitmex": floor_bitmex,
    "bybit": floor_bybit,
    "binance": floor_binance,
    "deribit": floor_deribit,
    "okx": floor_okx,
    "kraken": floor_kraken,
}


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

    monotonic = staticmethod(_monotonic)  # as cheap as the system clock's (``SystemClock``)


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


Runner = Callable[[list[bytes]], None]


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
    loads: float  # seconds per frame
    floor: float
    floor_state: float
    parse: float
    parse_store: float
    ungated: float  # parse+store with a gate that believes everything
    refused: int  # values the store's gate refused while timed (0: the replay is plausible)


def split(venue: str, frames: list[bytes]) -> tuple[list[bytes], list[bytes]]:
    """(the frames up to the first with data: priming, the rest: timed)."""
    adapter = get_adapter(venue)
    for i, f in enumerate(frames):
        if adapter.parse(f):
            return frames[: i + 1], frames[i + 1 :]
    raise SystemExit(f"{venue}: no frame with data")


def primed_store(venue: str, frames: list[bytes], prime: list[bytes], *, gate: bool) -> Runner:
    """A fresh adapter and store, primed: the parse+store run over a batch."""
    events: list[Event] = []
    counter = get_adapter(venue)
    for f in frames:
        events += counter.parse(f)
    store = store_for(venue, events)
    if not gate:
        store._gate = PassThrough(Rules(), {})
    parse = get_adapter(venue).parse
    for f in prime:
        for e in parse(f):
            store.apply(e)
    apply = store.apply

    def run(batch: list[bytes]) -> None:
        for f in batch:
            for e in parse(f):
                apply(e)

    run.store = store  # type: ignore[attr-defined]
    return run


def measure(venue: str, frames: list[bytes], seconds: float, repeats: int) -> Result:
    prime, timed = split(venue, frames)
    batch = timed + timed[::-1]
    parser_only = get_adapter(venue)
    for f in prime:
        parser_only.parse(f)
    parse, loads, floor = parser_only.parse, orjson.loads, FLOORS[venue]
    state: State = {}

    def loads_run(batch: list[bytes]) -> None:
        for f in batch:
            loads(f)

    def floor_run(batch: list[bytes]) -> None:
        for f in batch:
            floor(f, None)

    def floor_state_run(batch: list[bytes]) -> None:
        for f in batch:
            floor(f, state)

    def parse_run(batch: list[bytes]) -> None:
        for f in batch:
            parse(f)

    stored = primed_store(venue, frames, prime, gate=True)
    ungated = primed_store(venue, frames, prime, gate=False)
    store: Store = stored.store  # type: ignore[attr-defined]
    before = sum(store.refused_counts().values())
    times = best_times(
        [loads_run, floor_run, floor_state_run, parse_run, stored, ungated], batch, seconds, repeats
    )
    refused = sum(store.refused_counts().values()) - before
    counter = get_adapter(venue)
    for f in prime:
        counter.parse(f)
    n_events = sum(len(counter.parse(f)) for f in timed)
    return Result(
        len(timed), sum(len(f) for f in timed) // len(timed), n_events / len(timed), *times, refused
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.3, help="time per measurement")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--only", nargs="*", choices=list(VENUES), help="these sequences only")
    args = parser.parse_args()
    cols = (
        "sequence", "frames", "bytes", "ev/frame", "loads µs", "floor µs", "floor+state µs",
        "parse µs", "parse+store µs", "gate µs", "parse/floor", "parse+store/floor+state",
        "refused",
    )  # fmt: skip
    if args.markdown:
        print("| " + " | ".join(cols) + " |")
        print("|" + "|".join(["---"] + ["---:"] * (len(cols) - 1)) + "|")
    else:
        print(f"{cols[0]:12} {cols[1]:>6} {cols[2]:>5} " + " ".join(f"{c:>9}" for c in cols[3:]))
    worst = worst_parse = 0.0
    for name, (venue, make) in VENUES.items():
        if args.only and name not in args.only:
            continue
        r = measure(venue, make(), args.seconds, args.repeats)
        ratio_p, ratio_s = r.parse / r.floor, r.parse_store / r.floor_state
        worst, worst_parse = max(worst, ratio_s), max(worst_parse, ratio_p)
        cells = (
            f"{r.events_per_frame:.2f}", *(f"{t * 1e6:.2f}" for t in (
                r.loads, r.floor, r.floor_state, r.parse, r.parse_store, r.parse_store - r.ungated
            )),
            f"{ratio_p:.2f}x", f"{ratio_s:.2f}x", str(r.refused),
        )  # fmt: skip
        if args.markdown:
            print(f"| {name} | {r.frames} | {r.frame_bytes} | " + " | ".join(cells) + " |")
        else:
            print(
                f"{name:12} {r.frames:6d} {r.frame_bytes:5d} " + " ".join(f"{c:>9}" for c in cells)
            )
    print(
        f"\nworst parse+store / floor+state: {worst:.2f}x; worst parse / floor: {worst_parse:.2f}x"
    )


if __name__ == "__main__":
    main()
