"""Fuzz `hedgetui decode` with mutated real frames of every venue and count the crashes.

Each venue's real sample frames (../shared/exchanges/samples, plus the simulator's own frame) are
mutated: bytes flipped, frames truncated, control characters inserted, keys dropped or repeated,
values swapped for booleans, null, huge/tiny/negative numbers, numbers as strings and strings as
numbers, odd strings (NaN, 1e999, ISO times of the year 3000, ESC sequences), nested objects and
lists, and deep nesting. The frames run, in order and with real frames mixed in (so the
snapshot/partial merge paths of Bybit and BitMEX run too), through the decode command's own loop
(:class:`hedgetui.commands.decode.FrameDecoder` and :func:`~hedgetui.commands.decode.event_line`,
in this process), and a few per venue through the real ``hedgetui decode`` subprocess.

A crash is any exception other than the declared parse error (which decode reports on a line of
its own), an emitted event with a value that is not a finite number or is a bool (a price not
> 0, an interval not > 0), or a value decode cannot write (an integer beyond 64 bits); from the
subprocess, an exit code other than 0/1, a traceback, or a stderr line not of decode's form.
Each crash is printed with its venue, frame and traceback. Exit 1 when any crash was found.
Usage::

    .venv/bin/python benchmarks/fuzz_decode.py [--frames 1000000] [--seed 17] [--venue okx]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from hedgetui.clock import ManualClock
from hedgetui.commands.decode import VENUE_NAMES, FrameDecoder, event_line
from hedgetui.domain import Funding, IndexPrice, MarkPrice
from hedgetui.sim import PROTOCOLS
from hedgetui.sim.market import Market
from hedgetui.sim.scenarios import get_scenario

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "exchanges" / "samples"
FOLDERS = {
    "bitmex": "bitmex",
    "bybit": "bybit",
    "binance": "binance_coinm",
    "deribit": "deribit",
    "okx": "okx",
    "kraken": "kraken_futures",
}
REAL_EVERY = 8  # a real frame after every this many mutated ones: state to merge into
SHOWN = 1  # crashes printed in full per cause and venue

_INT64 = (-(2**63), 2**64)  # what JSON (orjson) can write
_DEEP = "\x00deep\x00"  # placeholder for a deeply nested value, expanded after dumping
_SWAPS: tuple[Any, ...] = (
    True,
    False,
    None,
    0,
    -1,
    1,
    -5,
    -60_000.5,
    1e308,
    -1e308,
    1e30,
    5e-324,
    -5e-324,
    1e-300,
    10**30,
    -(10**30),
    2**63,
    2**64,
    -(2**63) - 1,
    "",
    "x",
    "NaN",
    "nan",
    "inf",
    "-Infinity",
    "1e999",
    "-1e999",
    "1e30",
    "5e-324",
    "-5",
    "0",
    "-0",
    " 1 ",
    "1_000",
    "0x10",
    "１２３",
    "true",
    "null",
    "3000-01-01T00:00:00.000Z",
    "1970-01-01T00:00:00.000Z",
    "2021-13-45T99:00:00Z",
    "2000-01-01T00:00:00.000Z",
    "-2000-01-01T08:00:00Z",
    "\x1b[31mred\x1b[0m",
    "\x00",
    "\u202e",
    [],
    {},
    [1.5],
    {"a": 1},
    [[[]]],
    {"symbol": "XBTUSD", "markPrice": True},
)
_CONTROL = bytes([*range(0, 10), 11, 12, *range(14, 32), 127])  # not \n or \r: one line a frame
_FIELDS = (b'"markPrice":true,', b'"ts":1e30,', b'"fundingRate":"NaN",', b'"symbol":null,')


@dataclass
class Crash:
    venue: str
    frame: bytes
    what: str  # the traceback, or the problem with an event
    cause: str  # "RecursionError at okx.py:120", "MarkPrice.ts": crashes grouped by it


@dataclass
class Result:
    venue: str
    frames: int = 0
    refused: int = 0  # lines decode reported (the declared parse error)
    events: int = 0
    seconds: float = 0.0
    crashes: list[Crash] = field(default_factory=list)


class _Discard:
    """decode's stderr: the parse errors are counted by the decoder, their text is not needed."""

    def write(self, text: str) -> int:
        return len(text)


def seed_frames(venue: str, samples: Path = SAMPLES) -> list[bytes]:
    """The venue's real frames: every sample (compact JSON, text as is) and the simulator's."""
    out: list[bytes] = []
    for path in sorted((samples / FOLDERS[venue]).glob("*")):
        raw = path.read_bytes()
        if path.suffix == ".json":
            out.append(orjson.dumps(orjson.loads(raw)))
        elif path.suffix == ".txt":
            out.append(raw.strip())
    market = Market(get_scenario("calm"), ManualClock(), speed=1.0)  # the same frame every run
    out.append(PROTOCOLS[venue](market).sample_frame().encode())
    return [frame for frame in out if b"\n" not in frame and b"\r" not in frame]


class Mutator:
    """Mutated copies of real frames, reproducibly from ``rng``."""

    def __init__(self, rng: random.Random, seeds: Sequence[bytes], venue: str) -> None:
        self.rng = rng
        self.seeds = list(seeds)
        self.parsed = [_loads(frame) for frame in self.seeds]
        # data frames (those that give events, read in order) are mutated 4x as often as the
        # acks, errors and REST replies among the samples
        decoder = FrameDecoder(venue, _Discard())  # type: ignore[arg-type]
        self.weights = [4 if list(decoder.events([frame])) else 1 for frame in self.seeds]
        self.order = range(len(self.seeds))

    def frame(self) -> bytes:
        rng = self.rng
        (i,) = rng.choices(self.order, self.weights)
        msg = self.parsed[i]
        roll = rng.random()
        if msg is None or roll < 0.2:
            return self.bytes_(self.seeds[i])
        for _ in range(rng.choice((1, 1, 1, 2, 3))):  # mostly one change: most still parse
            msg = self.tree(msg)
        text = _dumps(msg, rng)
        return self.bytes_(text) if roll > 0.85 else text

    # --- byte level
    def bytes_(self, frame: bytes) -> bytes:
        rng = self.rng
        data = bytearray(frame)
        action = rng.randrange(5)
        if action == 0 and data:  # flip bytes
            for _ in range(rng.randint(1, 8)):
                data[rng.randrange(len(data))] = rng.choice(_BYTES)
        elif action == 1:  # truncate
            del data[rng.randrange(len(data) + 1) :]
        elif action == 2:  # control characters
            for _ in range(rng.randint(1, 4)):
                data.insert(rng.randrange(len(data) + 1), rng.choice(_CONTROL))
        elif action == 3 and data:  # a slice repeated
            a = rng.randrange(len(data))
            b = rng.randrange(a, min(len(data), a + 64) + 1)
            data[b:b] = data[a:b]
        else:  # a repeated key with another value, inserted after an opening brace
            at = [k for k, c in enumerate(data) if c == ord("{")]
            if at:
                k = rng.choice(at) + 1
                data[k:k] = rng.choice(_FIELDS)
        return bytes(data)

    # --- structure
    def tree(self, node: Any) -> Any:
        """``node`` with one change somewhere inside it (copies along the path only)."""
        rng = self.rng
        if isinstance(node, dict) and node and rng.random() < 0.75:
            key = rng.choice(list(node))
            copy = dict(node)
            action = rng.randrange(6)
            if action == 0:
                del copy[key]
            elif action == 1:
                copy[key] = self.value(node[key])
            elif action == 2:
                copy[rng.choice(list(node))] = self.value(node[key])  # another key's value
            elif action == 3:
                copy[key + rng.choice(["", "x", "_"])] = rng.choice(_SWAPS)
            else:
                copy[key] = self.tree(node[key])
            return copy
        if isinstance(node, list) and node and rng.random() < 0.75:
            k = rng.randrange(len(node))
            items = list(node)
            action = rng.randrange(4)
            if action == 0:
                items.append(items[k])
            elif action == 1:
                del items[k]
            else:
                items[k] = self.tree(items[k])
            return items
        return self.value(node)

    def value(self, old: Any) -> Any:
        rng = self.rng
        roll = rng.random()
        if roll < 0.45:
            return rng.choice(_SWAPS)
        if roll < 0.55:
            return _DEEP
        if roll < 0.65:
            return [old] if rng.random() < 0.5 else {"v": old}
        if type(old) is str:
            try:
                number = float(old)
            except ValueError:
                return old[: rng.randrange(len(old) + 1)] + rng.choice(["", "\x1b[2J", "9" * 30])
            return _scaled(number, rng) if math.isfinite(number) else rng.choice(_SWAPS)
        if type(old) in (int, float):
            if rng.random() < 0.4:
                return str(old)
            number = float(old) if abs(old) < 1e300 else math.inf
            return _scaled(number, rng) if math.isfinite(number) else rng.choice(_SWAPS)
        return rng.choice(_SWAPS)


_BYTES = bytes(b for b in range(256) if b not in (10, 13))


def _scaled(x: float, rng: random.Random) -> Any:
    choice = rng.randrange(6)
    if choice == 0:
        return -x
    if choice == 1:
        return x * 10 ** rng.randint(-320, 300)
    if choice == 2:
        return int(x) * 10 ** rng.randint(10, 30)
    if choice == 3:
        return x + rng.choice([1e-9, 1.0, 1e9])
    if choice == 4:
        return f"{x * 10 ** rng.randint(-30, 30)!r}"
    return x / 3


def _loads(frame: bytes) -> Any:
    try:
        return orjson.loads(frame)
    except orjson.JSONDecodeError:
        return None


def _dumps(msg: Any, rng: random.Random) -> bytes:
    """The mutated message as one line (stdlib JSON: big integers, NaN/Infinity tokens)."""
    text = json.dumps(msg, separators=(",", ":"), ensure_ascii=rng.random() < 0.5)
    placeholder = json.dumps(_DEEP)
    while placeholder in text:
        depth = rng.choice([40, 400, 1_000, 1_100, 5_000])
        opening, closing = ("[", "]") if rng.random() < 0.7 else ('{"a":', "}")
        text = text.replace(placeholder, opening * depth + "1" + closing * depth, 1)
    return text.encode("utf-8", "surrogatepass")


def event_problem(event: MarkPrice | IndexPrice | Funding) -> str | None:
    """What is wrong with an event decode emitted (``"<field> <why>: <value>"``), or None."""
    if type(event.symbol) is not str:
        return f"symbol not a string: {event.symbol!r}"
    checks: list[tuple[str, object, str | None]] = [("ts", event.ts, _time_problem(event.ts))]
    if isinstance(event, MarkPrice | IndexPrice):
        checks.append(("price", event.price, _number_problem(event.price, positive=True)))
    else:
        hours = event.interval_hours
        predicted = event.predicted_rate
        checks += [
            ("rate", event.rate, _number_problem(event.rate)),
            (
                "predicted_rate",
                predicted,
                None if predicted is None else _number_problem(predicted),
            ),
            ("interval_hours", hours, None if hours is None else _number_problem(hours, True)),
            ("next_funding_time", event.next_funding_time, _time_problem(event.next_funding_time)),
        ]
    for name, value, why in checks:
        if why is not None:
            return f"{name} {why}: {value!r:.80}"
    return None


def _number_problem(x: object, positive: bool = False) -> str | None:
    if type(x) is bool:
        return "is a bool"
    if type(x) not in (int, float):
        return "not a number"
    if not math.isfinite(x):  # type: ignore[arg-type]
        return "not finite"
    if positive and not x > 0:  # type: ignore[operator]
        return "not > 0"
    return None


def _time_problem(t: object) -> str | None:
    if t is None:
        return None
    if type(t) is not int:
        return "not an integer"
    if not _INT64[0] <= t < _INT64[1]:
        return "beyond 64 bits"
    return None


def _stream(
    seeds: Sequence[bytes], frames: Sequence[bytes], start: int, cursor: list[int]
) -> Iterator[bytes]:
    """The real frames, then ``frames[start:]`` with a real one mixed in after every few;
    ``cursor[0]`` is the index of the mutated frame given last (-1: none yet)."""
    cursor[0] = -1
    yield from seeds
    for k in range(start, len(frames)):
        cursor[0] = k
        yield frames[k]
        if k % REAL_EVERY == 0:
            yield seeds[k % len(seeds)]


def run_frames(venue: str, seeds: Sequence[bytes], frames: Sequence[bytes], result: Result) -> None:
    """``frames`` through decode's loop, in order, the real ``seeds`` first and mixed in.

    One crash is counted per frame. After an exception, decoding resumes (with fresh state, the
    real frames first) after the frame that caused it.
    """
    position = 0
    cursor = [-1]
    flagged = -2  # the frame a bad event was last recorded for
    while position < len(frames):
        decoder = FrameDecoder(venue, _Discard())  # type: ignore[arg-type]
        try:
            for event in decoder.events(_stream(seeds, frames, position, cursor)):
                result.events += 1
                problem = event_problem(event)
                if problem is not None:
                    if cursor[0] == flagged:
                        continue  # one crash per frame, however many of its events are bad
                    flagged = cursor[0]
                    what = f"emitted {event!r:.300}: {problem}"
                    cause = f"{type(event).__name__}.{problem.split(':')[0]}"
                    result.crashes.append(Crash(venue, _culprit(frames, cursor), what, cause))
                    continue
                event_line(event)  # as decode writes it
        except Exception as exc:
            where = traceback.extract_tb(exc.__traceback__)[-1]
            cause = f"{type(exc).__name__} at {Path(where.filename).name}:{where.lineno}"
            crash = Crash(venue, _culprit(frames, cursor), traceback.format_exc(), cause)
            result.crashes.append(crash)
            position = cursor[0] + 1
        else:
            position = len(frames)
        result.refused += decoder.bad


def _culprit(frames: Sequence[bytes], cursor: list[int]) -> bytes:
    return frames[cursor[0]] if cursor[0] >= 0 else b"(one of the real frames)"


def fuzz_venue(
    venue: str, frames: int, seed: int, seeds: Sequence[bytes], chunk: int = 10_000
) -> Result:
    """``frames`` mutated frames of ``venue`` through decode's loop (see the module doc)."""
    rng = random.Random(f"{seed}:{venue}")
    mutator = Mutator(rng, seeds, venue)
    result = Result(venue)
    started = time.perf_counter()
    while result.frames < frames:
        batch = [mutator.frame() for _ in range(min(chunk, frames - result.frames))]
        run_frames(venue, seeds, batch, result)
        result.frames += len(batch)
    result.seconds = time.perf_counter() - started
    return result


def fuzz_subprocess(venue: str, frames: int, seed: int, seeds: Sequence[bytes]) -> Result:
    """``frames`` mutated frames through the real ``hedgetui decode`` command (one process)."""
    mutator = Mutator(random.Random(f"{seed}:{venue}:process"), seeds, venue)
    batch = [mutator.frame() for _ in range(frames)]
    result = Result(venue, frames=frames)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{venue}.txt"
        path.write_bytes(b"\n".join([*seeds, *batch]) + b"\n")
        done = subprocess.run(
            [sys.executable, "-m", "hedgetui", "decode", "--venue", venue, str(path)],
            capture_output=True,
            timeout=600,
            check=False,
            env=os.environ.copy(),
        )
    result.seconds = time.perf_counter() - started
    errors = done.stderr.decode("utf-8", "replace").splitlines()
    result.refused = len(errors)
    odd = [line for line in errors if not line.startswith("hedgetui decode: line ")]
    if done.returncode not in (0, 1) or odd:
        what = f"exit {done.returncode}; stderr: {chr(10).join(odd[-20:] or errors[-5:])}"
        result.crashes.append(Crash(venue, b"(the subprocess's input)", what, "subprocess"))
    for line in done.stdout.splitlines():
        result.events += 1
        event = orjson.loads(line)
        value = event["price"] if event["type"] != "funding" else event["rate"]
        why = _number_problem(value)  # (orjson writes NaN and inf as null)
        if why is not None:
            result.crashes.append(Crash(venue, line, f"decode printed {why}", "printed"))
    return result


def report(result: Result, label: str) -> str:
    rate = result.frames / result.seconds if result.seconds else 0.0
    return (
        f"{result.venue:8} {label:10} frames {result.frames:>9,}  crashes {len(result.crashes):>4}"
        f"  refused {result.refused:>9,}  events {result.events:>9,}  {rate:>9,.0f} frames/s"
    )


def show(crash: Crash) -> str:
    return f"--- {crash.venue}: frame {crash.frame[:400]!r}\n{crash.what.rstrip()}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=1_000_000, help="mutated frames per venue")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--venue", action="append", choices=VENUE_NAMES, help="(repeatable)")
    parser.add_argument(
        "--subprocess-frames",
        type=int,
        default=2_000,
        help="of those, through the real `hedgetui decode` command",
    )
    parser.add_argument("--samples", type=Path, default=SAMPLES, help="the samples folder")
    args = parser.parse_args(argv)
    crashes = 0
    print(f"seed {args.seed}; {args.frames:,} mutated frames per venue", flush=True)
    for venue in args.venue or VENUE_NAMES:
        seeds = seed_frames(venue, args.samples)
        runs = [("in-process", fuzz_venue(venue, args.frames, args.seed, seeds))]
        if args.subprocess_frames > 0:
            frames = min(args.subprocess_frames, args.frames)
            runs.append(("subprocess", fuzz_subprocess(venue, frames, args.seed, seeds)))
        for label, result in runs:
            print(report(result, label), flush=True)
            causes: dict[str, list[Crash]] = {}
            for crash in result.crashes:
                causes.setdefault(crash.cause, []).append(crash)
            for cause, found in sorted(causes.items(), key=lambda item: -len(item[1])):
                print(f"  {len(found):>7,} x {cause}")
                for crash in found[:SHOWN]:
                    print(show(crash), flush=True)
            crashes += len(result.crashes)
    print(f"crashes: {crashes}")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
