"""`hedgetui decode`: frames in, one JSON line per event out, bad lines reported and skipped."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from tests.conftest import REPO_DIR, SAMPLES_DIR
from tests.feeds_helpers import wire_frame


def decode(
    venue: str, stdin: bytes | None = None, *files: str
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "hedgetui", "decode", "--venue", venue, *files],
        input=stdin,
        capture_output=True,
        cwd=REPO_DIR,
        timeout=60,
        check=False,
    )


def lines(*names: str) -> bytes:
    return b"".join(wire_frame(SAMPLES_DIR / n) + b"\n" for n in names)


def test_okx_frames_decode_in_order_and_acks_print_nothing() -> None:
    frames = lines(
        "okx/mark-price_subscribe_ack_docs.json",
        "okx/mark-price_push_docs.json",
        "okx/pong.txt",
        "okx/index-tickers_BTC-USD_recorded_2023.json",
        "okx/funding-rate_push_docs.json",
    )
    result = decode("okx", frames)
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    out = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert out == [
        {"type": "mark", "venue": "okx", "symbol": "LTC-USD-190628", "price": 0.1,
         "ts": 1597026383085},
        {"type": "index", "venue": "okx", "symbol": "BTC-USD", "price": 27938.9,
         "ts": 1681041600310},
        {"type": "funding", "venue": "okx", "symbol": "BTC-USD-SWAP",
         "rate": 0.0001875391284828, "predicted_rate": None, "next_funding_time": 1700726400000,
         "ts": 1700724675402, "interval_hours": 8.0},
    ]  # fmt: skip


def test_bad_lines_are_reported_by_number_and_decoding_continues(tmp_path: Path) -> None:
    good = wire_frame(SAMPLES_DIR / "kraken_futures/ticker_PI_XBTUSD_recorded_2022.json")
    error = wire_frame(SAMPLES_DIR / "kraken_futures/error_invalid_product_id_docs.json")
    path = tmp_path / "frames.txt"
    path.write_bytes(b"{not json\n" + good + b"\n\n" + error + b"\n" + good + b"\n")
    result = decode("kraken", None, str(path))
    assert result.returncode == 1
    errors = result.stderr.decode().splitlines()
    assert len(errors) == 2
    assert errors[0].startswith("hedgetui decode: line 1: not JSON")
    assert errors[1] == "hedgetui decode: line 4: kraken error: Invalid product id"
    out = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert [o["type"] for o in out] == ["mark", "index", "funding"] * 2
    assert out[0]["price"] == 29919.75 and out[2]["rate"] == 9.6321875e-8


def test_bybit_deltas_merge_across_lines() -> None:
    frames = lines(
        "bybit/tickers_inverse_snapshot_recorded.json", "bybit/tickers_inverse_delta_recorded.json"
    )
    out = [orjson.loads(line) for line in decode("bybit", frames).stdout.splitlines()]
    assert out[-1]["type"] == "funding"
    assert out[-1]["next_funding_time"] == 1680681600000  # kept from the snapshot
    assert out[-1]["ts"] == 1680673822776  # the delta's time


@pytest.mark.parametrize("venue", ["ftx", "BitMEXX"])
def test_unknown_venue_exits_2_with_one_line(venue: str) -> None:
    result = decode(venue, b"")
    assert result.returncode == 2
    assert result.stdout == b""
    assert len(result.stderr.decode().splitlines()) == 1
    assert "unknown venue" in result.stderr.decode()


def test_unreadable_file_exits_2_with_one_line(tmp_path: Path) -> None:
    result = decode("bitmex", None, str(tmp_path / "missing.txt"))
    assert result.returncode == 2
    assert result.stderr.decode().splitlines() == [
        f"hedgetui decode: cannot read {tmp_path / 'missing.txt'}: No such file or directory"
    ]


def test_bitmex_updates_of_a_capture_taken_mid_stream_are_decoded() -> None:
    """No partial in the capture: each update's own symbol, mark and index are decoded."""
    frames = lines(
        "bitmex/instrument_update_minimal_recorded.json",  # no price in it: nothing known yet
        "bitmex/instrument_update_markPrice_testnet_2021.json",
        "bitmex/instrument_update_lastPrice_testnet_2021.json",  # lastPrice is not the mark
    )
    result = decode("bitmex", frames)
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    out = [orjson.loads(line) for line in result.stdout.splitlines()]
    ts, later = 1639857785000, 1639857796369  # 2021-12-18T20:03:05.000Z, 20:03:16.369Z
    assert out == [
        {"type": "mark", "venue": "bitmex", "symbol": "XBTUSD", "price": 46599.19, "ts": ts},
        {"type": "index", "venue": "bitmex", "symbol": "XBTUSD", "price": 46594.56, "ts": ts},
        # the row is now known: a later update confirms its prices at its own time
        {"type": "mark", "venue": "bitmex", "symbol": "XBTUSD", "price": 46599.19, "ts": later},
        {"type": "index", "venue": "bitmex", "symbol": "XBTUSD", "price": 46594.56, "ts": later},
    ]


def test_a_timestamp_beyond_64_bits_is_one_line_not_a_traceback() -> None:
    """``"timestamp": 1e30`` once crashed decode writing the event (``int()`` beyond 64 bits)."""
    good = wire_frame(SAMPLES_DIR / "deribit/ticker_perpetual_recorded_2019a.json")
    msg = orjson.loads(good)
    msg["params"]["data"]["timestamp"] = 1e30
    result = decode("deribit", good + b"\n" + orjson.dumps(msg) + b"\n" + good + b"\n")
    assert result.returncode == 1
    errors = result.stderr.decode().splitlines()
    assert len(errors) == 1 and errors[0].startswith("hedgetui decode: line 2: "), errors
    out = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 6 and out[:3] == out[3:]  # lines 1 and 3, each mark, index, funding
