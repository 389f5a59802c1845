"""BitMEX's partial-row ``instrument`` updates (most of its real stream) on the fast path.

After the real partial, each update carries only what changed (``markPrice`` alone,
``fairPrice`` + ``markPrice``, a trade's ``lastPrice``, a tick direction): the fast path must
give exactly what the general path gives, and leave the same merged row behind (a new funding
rate included).
"""

from __future__ import annotations

import contextlib
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hedgetui.domain import Ticker
from hedgetui.feeds import FeedParseError, get_adapter
from hedgetui.feeds.bitmex import BitmexAdapter
from tests.conftest import SAMPLES_DIR

PARTIAL = (SAMPLES_DIR / "bitmex" / "instrument_partial_XBTUSD_testnet_2021.json").read_bytes()
TS = "2021-12-18T20:03:05.250Z"

SHAPES: list[dict[str, Any]] = [
    {"symbol": "XBTUSD", "markPrice": 46601.5, "timestamp": TS},
    {"symbol": "XBTUSD", "fairPrice": 46602.25, "markPrice": 46602.25, "timestamp": TS},
    {"symbol": "XBTUSD", "lastPrice": 46691.5, "lastChangePcnt": -0.0022, "timestamp": TS},
    {"symbol": "XBTUSD", "lastTickDirection": "ZeroMinusTick", "timestamp": TS},
    {"symbol": "XBTUSD", "indicativeSettlePrice": 46590.0, "timestamp": TS},
    {"symbol": "XBTUSD", "fundingRate": 0.0001, "indicativeFundingRate": -0.0002, "timestamp": TS},
    {"symbol": "XBTUSD", "indicativeFundingRate": 0.00015, "markPrice": 46603.0, "timestamp": TS},
]

values = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=False),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.sampled_from(
        [
            "",
            "x",
            "46600",
            "2021-12-18T20:03:06.000Z",
            "2021-12-18T20:03:60.000Z",
            "2021-12-18T20:04:05.999Z",
        ]
    ),
)


def outcome(adapter: BitmexAdapter, frame: bytes, fast: bool) -> object:
    try:
        if fast:
            return adapter.parse(frame)
        return adapter.parse_message(orjson.loads(frame))
    except FeedParseError as exc:
        return (type(exc), str(exc))


def primed() -> tuple[BitmexAdapter, BitmexAdapter]:
    fast, general = BitmexAdapter(), BitmexAdapter()
    for adapter in (fast, general):
        adapter.parse(PARTIAL)
        # the minute of TS is cached (as after any earlier row in that minute)
        adapter.parse(update({"symbol": "XBTUSD", "timestamp": "2021-12-18T20:03:05.000Z"}))
    return fast, general


def update(row: dict[str, Any]) -> bytes:
    return orjson.dumps({"table": "instrument", "action": "update", "data": [row]})


def test_each_partial_row_shape_reads_the_same_on_both_paths() -> None:
    fast, general = primed()
    for row in SHAPES * 2:
        frame = update(row)
        assert outcome(fast, frame, True) == outcome(general, frame, False)


def test_a_mark_only_row_keeps_the_merged_index() -> None:
    adapter, _ = primed()
    (partial_event,) = get_adapter("bitmex").parse(PARTIAL)
    assert isinstance(partial_event, Ticker)
    (event,) = adapter.parse(update(SHAPES[0]))
    assert event == Ticker(
        "bitmex", "XBTUSD", 1639857785250, 46601.5, partial_event.index, None, None, None, None
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    shape=st.sampled_from(SHAPES),
    changes=st.dictionaries(
        st.sampled_from(
            [
                "markPrice",
                "indicativeSettlePrice",
                "timestamp",
                "symbol",
                "fundingRate",
                "indicativeFundingRate",
                "fundingTimestamp",
            ]
        ),
        values,
        max_size=3,
    ),
)
def test_mutated_partial_rows_read_the_same_on_both_paths(
    shape: dict[str, Any], changes: dict[str, Any]
) -> None:
    fast, general = primed()
    frame = update(shape | changes)
    for f in (frame, update(SHAPES[0]), frame):  # and the state each leaves agrees too
        with contextlib.suppress(orjson.JSONEncodeError):
            assert outcome(fast, f, True) == outcome(general, f, False)
