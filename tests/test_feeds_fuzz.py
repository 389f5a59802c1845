"""Property tests: whatever arrives, ``parse`` gives events or raises FeedParseError, nothing else.

Inputs: random bytes, random JSON, and real sample frames mutated (keys dropped, values swapped
for other types, nulls, huge numbers, NaN strings), also fed after a snapshot so the merge paths
of stateful adapters (Bybit, BitMEX) run.
"""

from __future__ import annotations

import contextlib
import json
import math
from pathlib import Path

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hedgetui.domain import Funding, IndexPrice, MarketEvent, MarkPrice
from hedgetui.feeds import ADAPTERS, FeedParseError, get_adapter
from tests.feeds_helpers import FOLDER_VENUE, sample_files, wire_frame

VENUES = sorted(ADAPTERS)
SAMPLES: list[tuple[str, Path]] = [
    (FOLDER_VENUE[p.parent.name], p) for p in sample_files() if p.suffix == ".json"
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
    """Every event that does come out is well-formed."""
    for event in events:
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
    venue, path = draw(st.sampled_from(SAMPLES))
    original = wire_frame(path)
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
