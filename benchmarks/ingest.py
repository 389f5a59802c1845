"""Frames per second from raw text frame to events applied to a latest-value state, per venue.

For each venue the same recorded frames (from ../shared/exchanges/samples) are run through

* **hedgetui**: ``adapter.parse(frame)`` and every event stored in a dict keyed by
  (venue, symbol, kind), the way the store keeps the latest values (BitMEX, Bybit, Binance,
  Deribit and Kraken give one ``Ticker`` per ticker frame, OKX one classic event per push);
* **floor**: ``orjson.loads(frame)`` plus reading the same fields into floats/ints (no events, no
  validation, no state): the least any Python parser must do with these bytes;
* **floor+ev**: the floor plus building the same ``hedgetui.domain`` events the adapters build
  (their way, ``tuple.__new__``) and storing them in the same dict: what hedgetui would cost if
  its own parsing (dispatch, validation, merging) were free. ``bound`` = floor+ev / floor is
  therefore the best ratio any adapter could reach with these events and this state.

All three run in this process on one core on the same frames, interleaved (so machine noise hits
them alike); the best of several repeats of each is reported. Usage::

    .venv/bin/python benchmarks/ingest.py [--seconds 0.3] [--repeats 7]
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import orjson

from hedgetui.feeds import get_adapter

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "exchanges" / "samples"


def frame(name: str) -> bytes:
    return orjson.dumps(orjson.loads((SAMPLES / name).read_bytes()))


# ---------------------------------------------------------------- floors: loads + the same fields


def floor_bitmex(f: bytes) -> None:
    for r in orjson.loads(f)["data"]:
        r["symbol"]
        if "markPrice" in r:
            float(r["markPrice"])
        if "indicativeSettlePrice" in r:
            float(r["indicativeSettlePrice"])
        datetime.fromisoformat(r["timestamp"]).timestamp()


def floor_bybit(f: bytes) -> None:
    m = orjson.loads(f)
    d = m["data"]
    d["symbol"]
    int(m["ts"])
    for k in ("markPrice", "indexPrice", "fundingRate"):
        if k in d:
            float(d[k])
    if "nextFundingTime" in d:
        int(d["nextFundingTime"])


def floor_binance(f: bytes) -> None:
    d = orjson.loads(f)["data"]
    d["s"]
    int(d["E"])
    float(d["p"])
    float(d["i"])
    float(d["r"])
    int(d["T"])


def floor_deribit(f: bytes) -> None:
    d = orjson.loads(f)["params"]["data"]
    d["instrument_name"]
    int(d["timestamp"])
    float(d["mark_price"])
    float(d["index_price"])
    float(d["funding_8h"])


def floor_okx(f: bytes) -> None:
    m = orjson.loads(f)
    ch = m["arg"]["channel"]
    for d in m["data"]:
        d["instId"]
        int(d["ts"])
        if ch == "mark-price":
            float(d["markPx"])
        elif ch == "index-tickers":
            float(d["idxPx"])
        else:
            float(d["fundingRate"])
            int(d["fundingTime"])
            int(d["nextFundingTime"])


def floor_kraken(f: bytes) -> None:
    d = orjson.loads(f)
    d["product_id"]
    int(d["time"])
    float(d["markPrice"])
    float(d["index"])
    float(d["relative_funding_rate"])
    float(d["relative_funding_rate_prediction"])
    int(d["next_funding_rate_time"])


def bitmex_frames() -> list[bytes]:
    update = orjson.loads(frame("bitmex/instrument_update_markPrice_testnet_2021.json"))
    return [orjson.dumps(update)]


def binance_frames() -> list[bytes]:
    # the 2026 stream shape: combined stream, with the index price "i"
    msg = orjson.loads(frame("binance_coinm/markPrice_combined_recorded_2021.json"))
    msg["data"]["i"] = "58990.12000000"
    return [orjson.dumps(msg)]


def okx_frames() -> list[bytes]:
    mark = orjson.loads(frame("okx/mark-price_push_docs.json"))
    mark["arg"]["instId"] = mark["data"][0]["instId"] = "BTC-USD-SWAP"
    mark["data"][0].update(instType="SWAP", markPx="27940.1")
    return [
        orjson.dumps(mark),
        frame("okx/index-tickers_BTC-USD_recorded_2023.json"),
        frame("okx/funding-rate_push_docs.json"),
    ]


VENUES: dict[str, tuple[Callable[[], list[bytes]], list[str], Callable[[bytes], None]]] = {
    # venue: (frames, frames sent once first to prime merge state, floor)
    "bitmex": (
        bitmex_frames,
        ["bitmex/instrument_partial_XBTUSD_testnet_2021.json"],
        floor_bitmex,
    ),
    "bybit": (
        lambda: [
            frame("bybit/tickers_inverse_snapshot_recorded.json"),
            frame("bybit/tickers_inverse_delta_recorded.json"),
        ],
        [],
        floor_bybit,
    ),
    "binance": (binance_frames, [], floor_binance),
    "deribit": (
        lambda: [
            frame("deribit/ticker_perpetual_recorded_2019a.json"),
            frame("deribit/ticker_perpetual_recorded_2019b_negative_funding.json"),
        ],
        [],
        floor_deribit,
    ),
    "okx": (okx_frames, [], floor_okx),
    "kraken": (
        lambda: [frame("kraken_futures/ticker_PI_XBTUSD_recorded_2022.json")],
        [],
        floor_kraken,
    ),
}


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
    runs: list[Callable[[list[bytes]], None]], frames: list[bytes], seconds: float, repeats: int
) -> list[float]:
    """Best time per frame of each run; the runs are interleaved so machine noise hits all alike."""
    batch = frames * max(1, 2000 // len(frames))
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
    ours: float  # seconds per frame
    floor: float
    floor_events: float
    frame_bytes: int  # mean size of the venue's benchmark frames
    events_per_frame: float


def measure(venue: str, seconds: float, repeats: int) -> Result:
    make_frames, prime, floor = VENUES[venue]
    frames = make_frames()
    adapter = get_adapter(venue)
    for name in prime:
        adapter.parse(frame(name))
    parse = adapter.parse
    state: dict[tuple[str, str, type], object] = {}

    def ours(batch: list[bytes]) -> None:
        for f in batch:
            for e in parse(f):
                state[(e.venue, e.symbol, type(e))] = e

    def floor_run(batch: list[bytes]) -> None:
        for f in batch:
            floor(f)

    ours(frames)  # every frame must parse, and produce events
    assert state, f"{venue}: no events from the benchmark frames"

    # floor + the domain event objects: the floor plus building the same events (the adapters'
    # way, tuple.__new__ on ready field tuples) and storing them exactly as `ours` does: the
    # least any parser that hands these events to a latest-value state can cost
    check = get_adapter(venue)
    for name in prime:
        check.parse(frame(name))
    specs = {f: [(type(e), tuple(e)) for e in check.parse(f)] for f in frames}
    assert all(specs.values()), f"{venue}: a benchmark frame gave no events"
    floor_state: dict[tuple[str, str, type], object] = {}
    new_event = tuple.__new__

    def floor_events_run(batch: list[bytes]) -> None:
        for f in batch:
            floor(f)
            for cls, fields in specs[f]:
                e = new_event(cls, fields)
                floor_state[(e.venue, e.symbol, type(e))] = e

    t_ours, t_floor, t_floor_events = best_times(
        [ours, floor_run, floor_events_run], frames, seconds, repeats
    )
    size = sum(len(f) for f in frames) // len(frames)
    per_frame = sum(len(v) for v in specs.values()) / len(frames)
    return Result(t_ours, t_floor, t_floor_events, size, per_frame)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.3, help="time per measurement")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    print(
        f"{'venue':8} {'bytes':>5} {'ev/f':>4} {'hedgetui f/s':>12} {'floor f/s':>10} "
        f"{'us/frame':>8} {'floor us':>8} {'ratio':>6} {'floor+ev us':>11} {'bound':>6}"
    )
    worst = worst_bound = 0.0
    for venue in VENUES:
        r = measure(venue, args.seconds, args.repeats)
        ratio, bound = r.ours / r.floor, r.floor_events / r.floor
        worst, worst_bound = max(worst, ratio), max(worst_bound, bound)
        print(
            f"{venue:8} {r.frame_bytes:5d} {r.events_per_frame:4.1f} {1 / r.ours:12,.0f} "
            f"{1 / r.floor:10,.0f} {r.ours * 1e6:8.2f} {r.floor * 1e6:8.2f} {ratio:5.2f}x "
            f"{r.floor_events * 1e6:11.2f} {bound:5.2f}x"
        )
    print(f"worst ratio to the floor: {worst:.2f}x (target <= 1.5x)")
    print(f"worst bound (floor+ev / floor, hedgetui's own parsing free): {worst_bound:.2f}x")


if __name__ == "__main__":
    main()
