"""Property tests: whatever arrives, ``parse`` gives events or raises FeedParseError, nothing else.

Inputs: random bytes, random JSON, and real sample frames mutated (keys dropped, values swapped
for other types, nulls, huge numbers, NaN strings), also fed after a snapshot so the merge paths
of stateful adapters (Bybit, BitMEX) run. Last, 10^4 frames per venue from the decode fuzzer
(``benchmarks/fuzz_decode.py``, which runs 10^6 outside CI) through ``hedgetui decode``'s loop.
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.fuzz_decode import fuzz_subprocess, fuzz_venue, seed_frames, show
from hedgetui.domain import Funding, IndexPrice, MarketEvent, MarkPrice, Ticker, split_market_events
from hedgetui.feeds import ADAPTERS, FeedParseError, get_adapter
from tests.conftest import SAMPLES_DIR
from tests.feeds_helpers import FOLDER_VENUE, sample_files, wire_frame

VENUES = sorted(ADAPTERS)
SAMPLES: list[tuple[str, Path]] = [
    (FOLDER_VENUE[p.parent.name], p) for p in sample_files() if p.suffix == ".json"
]


def _binance_2026() -> bytes:
    """Today's Binance update: the recorded 2021 frame plus the index price ``i``."""
    path = SAMPLES_DIR / "binance_coinm" / "markPrice_combined_recorded_2021.json"
    msg = orjson.loads(path.read_bytes())
    msg["data"]["i"] = "58990.12000000"
    return orjson.dumps(msg)


FRAMES: list[tuple[str, bytes]] = [(venue, wire_frame(path)) for venue, path in SAMPLES] + [
    ("binance", _binance_2026())
]
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["NaN", "inf", "-inf", "", "1e400", "0", "-1", "1" * 40, "2021-13-45T99"]),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def check(events: list[MarketEvent]) -> None:
    """Every event that does come out is well-formed (a Ticker and the events it stands for)."""
    for ticker in events:
        if isinstance(ticker, Ticker):
            assert (
                ticker.mark is not None
                or ticker.index is not None
                or ticker.funding_rate is not None
            )
            for value in (ticker.mark, ticker.index, ticker.funding_rate, ticker.predicted_rate):
                assert value is None or type(value) is float
            assert ticker.next_funding_time is None or type(ticker.next_funding_time) is int
    for event in split_market_events(events):
        assert isinstance(event.symbol, str)
        assert event.ts is None or isinstance(event.ts, int)
        if isinstance(event, MarkPrice | IndexPrice):
            assert math.isfinite(event.price) and event.price > 0
        else:
            assert isinstance(event, Funding)
            assert math.isfinite(event.rate)


def parse_safely(venue: str, frame: bytes, prime: bytes | None = None) -> None:
    adapter = get_adapter(venue)
    if prime is not None:
        with contextlib.suppress(FeedParseError):
            adapter.parse(prime)
    try:
        check(adapter.parse(frame))
    except FeedParseError as exc:
        assert str(exc)


@FUZZ
@given(venue=st.sampled_from(VENUES), frame=st.binary(max_size=200))
def test_random_bytes(venue: str, frame: bytes) -> None:
    parse_safely(venue, frame)


@FUZZ
@given(venue=st.sampled_from(VENUES), value=json_values)
def test_random_json(venue: str, value: object) -> None:
    parse_safely(venue, json.dumps(value).encode())


@st.composite
def mutated_samples(draw: st.DrawFn) -> tuple[str, bytes, bytes]:
    venue, original = draw(st.sampled_from(FRAMES))
    msg = orjson.loads(original)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        msg = mutate(draw, msg)
    return venue, original, json.dumps(msg).encode()  # stdlib: big ints, NaN tokens


def mutate(draw: st.DrawFn, node: object) -> object:
    """Change one thing somewhere inside ``node``: drop a key, swap a type, null, huge, NaN."""
    if isinstance(node, dict) and node:
        key = draw(st.sampled_from(sorted(node)))
        action = draw(st.sampled_from(["drop", "replace", "descend", "descend"]))
        copy = dict(node)
        if action == "drop":
            del copy[key]
        elif action == "replace":
            copy[key] = draw(
                st.sampled_from(
                    [None, "NaN", "", 1e308, -1e308, 10**30, "1e999", [], {}, True, "x"]
                )
            )
        else:
            copy[key] = mutate(draw, node[key])
        return copy
    if isinstance(node, list) and node:
        i = draw(st.integers(min_value=0, max_value=len(node) - 1))
        copy_list = list(node)
        copy_list[i] = mutate(draw, node[i])
        return copy_list
    return draw(json_scalars)


@FUZZ
@given(case=mutated_samples())
def test_mutated_real_frames(case: tuple[str, bytes, bytes]) -> None:
    venue, original, mutated = case
    parse_safely(venue, mutated)
    parse_safely(venue, mutated, prime=original)  # as a delta after the real snapshot


def outcome(parse: Callable[[Any], list[MarketEvent]], arg: object) -> object:
    """The events ``parse(arg)`` gives, or the kind and message of its error."""
    try:
        return parse(arg)
    except FeedParseError as exc:
        return (type(exc), str(exc))


@FUZZ
@given(case=mutated_samples())
def test_the_fast_paths_give_what_the_general_path_gives(case: tuple[str, bytes, bytes]) -> None:
    """``parse`` reads the usual frame itself; it must agree exactly with ``parse_message``."""
    venue, original, mutated = case
    try:
        orjson.loads(mutated)
    except orjson.JSONDecodeError:  # (stdlib JSON may write what orjson refuses: NaN, huge ints)
        return
    fast, general = get_adapter(venue), get_adapter(venue)
    for adapter in (fast, general):  # the same merge state: the real frame first
        with contextlib.suppress(FeedParseError):
            adapter.parse(original)
    for frame in (mutated, original, mutated):  # and the state each frame leaves agrees too
        expected = outcome(general.parse_message, orjson.loads(frame))
        assert outcome(fast.parse, frame) == expected


@pytest.mark.parametrize(
    ("venue", "frame"), FRAMES, ids=[f"{v}-{i}" for i, (v, _) in enumerate(FRAMES)]
)
def test_every_real_frame_reads_the_same_on_both_paths(venue: str, frame: bytes) -> None:
    """Each real frame twice (the second time it is a known ticker channel, a merged row)."""
    fast, general = get_adapter(venue), get_adapter(venue)
    for _ in range(2):
        try:
            msg = orjson.loads(frame)
        except orjson.JSONDecodeError:
            return
        assert outcome(fast.parse, frame) == outcome(general.parse_message, msg)


DEEP = b"[" * 1_000 + b"1" + b"]" * 1_000  # orjson reads up to 1024 levels


@pytest.mark.parametrize(
    ("venue", "frame"), FRAMES, ids=[f"{v}-{i}" for i, (v, _) in enumerate(FRAMES)]
)
def test_a_value_nested_1000_deep_is_a_parse_error_not_a_crash(venue: str, frame: bytes) -> None:
    """An error message quoting such a value once raised RecursionError (repr of it)."""
    msg = orjson.loads(frame) if frame[:1] == b"{" else {}
    for key in msg:
        deep = orjson.dumps({**msg, key: "\x00deep"}).replace(b'"\\u0000deep"', DEEP)
        parse_safely(venue, deep)


FUZZ_FRAMES = 10_000  # per venue; benchmarks/fuzz_decode.py runs 10^6 outside CI
FUZZ_SEED = 17


@pytest.mark.parametrize("venue", VENUES)
def test_mutated_frames_through_decode_crash_nothing(venue: str) -> None:
    """No exception but the parse error, no emitted value that is not a finite number."""
    result = fuzz_venue(venue, FUZZ_FRAMES, FUZZ_SEED, seed_frames(venue, SAMPLES_DIR))
    assert result.frames == FUZZ_FRAMES
    assert not result.crashes, "\n".join(show(crash) for crash in result.crashes[:5])


@pytest.mark.parametrize("venue", VENUES)
def test_mutated_frames_through_the_decode_command_crash_nothing(venue: str) -> None:
    """The real ``hedgetui decode`` process: exit 0/1, one decode line per bad frame, no trace."""
    result = fuzz_subprocess(venue, 300, FUZZ_SEED, seed_frames(venue, SAMPLES_DIR))
    assert result.refused > 0  # the mutations do reach decode's error reporting
    assert not result.crashes, "\n".join(show(crash) for crash in result.crashes[:5])
