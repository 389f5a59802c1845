"""Frames per second from raw text frame to events applied to a latest-value state, per venue.

For each venue the same recorded frames (from ../shared/exchanges/samples) are run through

* **hedgetui**: ``adapter.parse(frame)`` and every event stored in a dict keyed by
  (venue, symbol, kind), the way the store keeps the latest values;
* **floor**: ``orjson.loads(frame)`` plus reading the same fields into floats/ints (no events, no
  validation, no state): the least any Python parser must do with these bytes;
* **floor+ev**: the floor plus building the same frozen ``hedgetui.domain`` events and storing
  them in the same dict: what hedgetui would cost if its own parsing were free.

Both run in this process on one core; the best of several repeats is reported. Usage::

    .venv/bin/python benchmarks/ingest.py [--seconds 0.3] [--repeats 7]
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import orjson

from hedgetui.domain import Funding, IndexPrice, MarketEvent, MarkPrice
from hedgetui.feeds import events, get_adapter

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


_MAKERS: dict[type, Callable[..., MarketEvent]] = {
    MarkPrice: events.mark,
    IndexPrice: events.index,
    Funding: events.funding,
}


def astuple_fields(e: MarketEvent) -> tuple[object, ...]:
    return tuple(getattr(e, name) for name in type(e).__slots__)


def measure(venue: str, seconds: float, repeats: int) -> tuple[float, float, float, int]:
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

    # floor + the domain event objects: the floor plus building the same frozen events
    # (with the fast constructors) and storing them, i.e. what is left that is not parsing
    check = get_adapter(venue)
    for name in prime:
        check.parse(frame(name))
    specs = {f: [(_MAKERS[type(e)], astuple_fields(e)) for e in check.parse(f)] for f in frames}
    floor_state: dict[tuple[str, str, type], object] = {}

    def floor_events_run(batch: list[bytes]) -> None:
        for f in batch:
            floor(f)
            for make, fields in specs[f]:
                e = make(*fields)
                floor_state[(e.venue, e.symbol, type(e))] = e

    t_ours, t_floor, t_floor_events = best_times(
        [ours, floor_run, floor_events_run], frames, seconds, repeats
    )
    return t_ours, t_floor, t_floor_events, sum(len(f) for f in frames) // len(frames)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.3, help="time per measurement")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    print(
        f"{'venue':8} {'bytes':>5} {'hedgetui f/s':>12} {'floor f/s':>10} {'us/frame':>8} "
        f"{'floor us':>8} {'ratio':>6} {'floor+ev us':>11} {'ratio':>6}"
    )
    worst = 0.0
    for venue in VENUES:
        ours, floor, floor_ev, size = measure(venue, args.seconds, args.repeats)
        ratio = ours / floor
        worst = max(worst, ratio)
        print(
            f"{venue:8} {size:5d} {1 / ours:12,.0f} {1 / floor:10,.0f} {ours * 1e6:8.2f} "
            f"{floor * 1e6:8.2f} {ratio:5.2f}x {floor_ev * 1e6:11.2f} {ours / floor_ev:5.2f}x"
        )
    print(f"worst ratio to the floor: {worst:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
