"""Every log a pane left open for weeks writes is bounded: the alert log rotates."""

from __future__ import annotations

import json
import os
from pathlib import Path

from hedgetui.alerts.model import EventKind
from hedgetui.alerts.sinks.log_file import MAX_LOG_BYTES, JsonLinesLogSink
from tests.alerts.test_alerts_sinks import event


async def test_the_alert_log_rotates_at_its_size_limit_keeping_one_old_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "alerts.jsonl"
    line = len(json.dumps(event().to_json(), separators=(",", ":"))) + 1
    sink = JsonLinesLogSink(path, max_bytes=5 * line)
    for k in range(23):
        await sink.deliver(event(EventKind.FIRED if k % 2 else EventKind.RESOLVED))
    sink.close()
    _check_files(tmp_path, path, line)


def _check_files(tmp_path: Path, path: Path, line: int) -> None:
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["alerts.jsonl", "alerts.jsonl.1"]  # never more than one old file
    assert path.stat().st_size < 5 * line + line
    assert (tmp_path / "alerts.jsonl.1").stat().st_size < 5 * line + line
    assert len(path.read_text().splitlines()) == 3  # 23 events, 5 a file: the newest kept
    assert MAX_LOG_BYTES == 10 * 1024 * 1024


async def test_a_terminal_as_alert_log_is_written_never_rotated() -> None:
    """A device cannot be renamed nor told its size (a tty's tell() fails): no rotation."""
    master, slave = os.openpty()
    try:
        sink = JsonLinesLogSink(Path(os.ttyname(slave)), max_bytes=1)
        for _ in range(3):
            await sink.deliver(event())  # no SinkError
        sink.close()
        assert b"fired" in os.read(master, 65536)
    finally:
        os.close(master)
        os.close(slave)
