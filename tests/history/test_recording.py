"""The recording format: writer and reader round trip, rotation, a cut-off end, bad lines, and
minute bars of the mark through the real BitMEX adapter (from the shared real samples)."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson
import pytest

from hedgetui.clock import ManualClock
from hedgetui.history.recording import (
    Closed,
    Frame,
    Opened,
    RecordingError,
    RecordingWriter,
    Sent,
    part_path,
    read_entries,
    read_header,
    safe_url,
)
from tests.conftest import SAMPLES_DIR

T0 = 1_639_857_300.0  # 2021-12-18T19:55:00Z, the time of the BitMEX partial sample


def _partial() -> bytes:
    path = SAMPLES_DIR / "bitmex" / "instrument_partial_XBTUSD_testnet_2021.json"
    return orjson.dumps(orjson.loads(path.read_bytes()))


def _update(mark: float, ts_ms: int) -> bytes:
    """The real markPrice update sample with its mark and time changed."""
    path = SAMPLES_DIR / "bitmex" / "instrument_update_markPrice_testnet_2021.json"
    msg = orjson.loads(path.read_bytes())
    row = msg["data"][0]
    row["markPrice"] = mark
    row["fairPrice"] = mark
    iso = _iso(ts_ms)
    row["timestamp"] = iso
    return orjson.dumps(msg)


def _iso(ts_ms: int) -> str:
    from datetime import UTC, datetime

    t = datetime.fromtimestamp(ts_ms / 1000, UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts_ms % 1000:03d}Z"


def _record(path: Path, clock: ManualClock, **kw: object) -> RecordingWriter:
    return RecordingWriter(path, ["bitmex"], {"bitmex": ["XBTUSD"]}, clock=clock, **kw)  # type: ignore[arg-type]


def test_round_trip_keeps_every_entry_in_order(tmp_path: Path) -> None:
    clock = ManualClock(T0)
    out = tmp_path / "night.jsonl.gz"
    with _record(out, clock) as w:
        conn = w.opened("bitmex", "wss://user:pw@ws.bitmex.com:443/realtime?api-key=SECRET")
        w.sent("bitmex", conn, '{"op":"subscribe","args":["instrument:XBTUSD"]}')
        clock.advance(0.5)
        w.frame("bitmex", conn, _partial())
        clock.advance(12.0)
        w.frame("bitmex", conn, b"\xff\x00binary")
        w.closed("bitmex", conn, 1006, "dropped")
    header = read_header(out)
    assert header.venues == ("bitmex",)
    assert header.symbols == {"bitmex": ("XBTUSD",)}
    assert header.start_ms == round(T0 * 1000)
    entries = list(read_entries(out))
    assert [type(e) for e in entries] == [Opened, Sent, Frame, Frame, Closed]
    opened = entries[0]
    assert isinstance(opened, Opened)
    assert opened.url == "wss://ws.bitmex.com:443/realtime"  # no user, password or key
    assert "SECRET" not in gzip.decompress(out.read_bytes()).decode()
    frame = entries[2]
    assert isinstance(frame, Frame)
    assert frame.data == _partial().decode()
    assert frame.mono == 0.5 and frame.wall_ms == round((T0 + 0.5) * 1000)
    binary = entries[3]
    assert isinstance(binary, Frame) and binary.data == b"\xff\x00binary"
    assert binary.mono == 12.5
    closed = entries[4]
    assert isinstance(closed, Closed) and (closed.code, closed.reason) == (1006, "dropped")


def test_rotates_and_the_reader_follows_the_set(tmp_path: Path) -> None:
    clock = ManualClock(T0)
    out = tmp_path / "night.jsonl.gz"
    with _record(out, clock, rotate_bytes=2048, compresslevel=0) as w:
        conn = w.opened("bitmex", "wss://ws.bitmex.com/realtime")
        for i in range(640):
            clock.advance(1.0)
            w.frame("bitmex", conn, _update(40_000.0 + i, round(clock.time() * 1000)))
    assert len(w.paths) > 2
    assert w.paths[1] == tmp_path / "night.1.jsonl.gz"
    assert all(p.exists() for p in w.paths)
    frames = [e for e in read_entries(out) if isinstance(e, Frame)]
    assert len(frames) == 640
    assert [f.mono for f in frames] == [float(i + 1) for i in range(640)]


def test_part_names() -> None:
    assert part_path(Path("a/night.jsonl.gz"), 2) == Path("a/night.2.jsonl.gz")
    assert part_path(Path("night.gz"), 1) == Path("night.1.gz")
    assert part_path(Path("night"), 3) == Path("night.3")
    assert part_path(Path("night.jsonl.gz"), 0) == Path("night.jsonl.gz")


def test_safe_url_keeps_host_port_path_only() -> None:
    assert safe_url("wss://k:s@fstream.binance.com/stream?streams=x&listenKey=abc") == (
        "wss://fstream.binance.com/stream"
    )
    assert safe_url("ws://[::1]:9000/ws/KEY") == "ws://[::1]:9000/ws/KEY"


def test_a_killed_recorder_leaves_a_readable_file_with_one_warning(tmp_path: Path) -> None:
    clock = ManualClock(T0)
    out = tmp_path / "killed.jsonl.gz"
    w = _record(out, clock)
    conn = w.opened("bitmex", "wss://ws.bitmex.com/realtime")
    for i in range(10):
        clock.advance(1.0)
        w.frame("bitmex", conn, _update(40_000.0 + i, round(clock.time() * 1000)))
    w.flush()  # what the recorder does every second
    flushed = len(out.read_bytes())
    for i in range(10):
        w.frame("bitmex", conn, _update(50_000.0 + i, round(clock.time() * 1000)))
    w.flush()
    data = out.read_bytes()
    w.close()
    out.write_bytes(data[: (flushed + len(data)) // 2])  # killed while writing the second batch
    warnings: list[str] = []
    frames = [e for e in read_entries(out, warnings.append) if isinstance(e, Frame)]
    assert 10 <= len(frames) < 20
    assert all(f.wall_ms for f in frames)
    assert len(warnings) == 1 and "ends early" in warnings[0]


def test_a_cut_last_line_is_skipped_with_one_warning(tmp_path: Path) -> None:
    out = tmp_path / "cut.jsonl.gz"
    clock = ManualClock(T0)
    with _record(out, clock) as w:
        conn = w.opened("bitmex", "wss://ws.bitmex.com/realtime")
        w.frame("bitmex", conn, _partial())
    text = gzip.decompress(out.read_bytes())
    out.write_bytes(gzip.compress(text[:-40]))
    warnings: list[str] = []
    entries = list(read_entries(out, warnings.append))
    assert [type(e) for e in entries] == [Opened]
    assert warnings == [f"{out}: line 3 is cut short; skipped"]


def test_bad_lines_are_named_and_skipped(tmp_path: Path) -> None:
    out = tmp_path / "bad.jsonl.gz"
    clock = ManualClock(T0)
    with _record(out, clock) as w:
        conn = w.opened("bitmex", "wss://ws.bitmex.com/realtime")
    lines = gzip.decompress(out.read_bytes()).splitlines(keepends=True)
    lines.insert(1, b'{"k":"frame","venue":"bitmex"}\n')
    lines.insert(1, b"not json\n")
    out.write_bytes(gzip.compress(b"".join(lines)))
    warnings: list[str] = []
    entries = list(read_entries(out, warnings.append))
    assert [type(e) for e in entries] == [Opened]
    assert entries[0].conn == conn
    assert warnings == [
        f"{out}: line 2 is not a recording line; skipped",
        f"{out}: line 3 is not a recording line; skipped",
    ]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "no such file"),
        (b"plain text\n", "not a recording \\(not gzip-compressed\\)"),
        (gzip.compress(b'{"a": 1}\n'), "no header line"),
        (gzip.compress(b'{"k": "header", "version": 99}\n'), "version 99"),
    ],
)
def test_not_a_recording_is_one_clear_error(
    tmp_path: Path, content: bytes | None, words: str
) -> None:
    path = tmp_path / "x.jsonl.gz"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(RecordingError, match=words):
        list(read_entries(path))


def test_a_close_by_the_recorder_is_marked_as_such(tmp_path: Path) -> None:
    out = tmp_path / "stop.jsonl.gz"
    with _record(out, ManualClock(T0)) as w:
        conn = w.opened("bitmex", "wss://ws.bitmex.com/realtime")
        w.closed("bitmex", conn, 1006, "")
        conn = w.opened("bitmex", "wss://ws.bitmex.com/realtime")
        w.closed("bitmex", conn, None, "recording stopped", stop=True)
    closes = [e for e in read_entries(out) if isinstance(e, Closed)]
    assert [(c.conn, c.code, c.stop) for c in closes] == [(1, 1006, False), (2, None, True)]
