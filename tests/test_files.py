"""The alert log and the audit log are private files: 0600 when created, and an existing file
that group or others could read is tightened to 0600 on first use."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from hedgetui.alerts.model import AlertEvent, EventKind, Severity
from hedgetui.alerts.sinks import SinkError
from hedgetui.alerts.sinks.log_file import JsonLinesLogSink
from hedgetui.trading.audit import AuditLog, AuditLogError


def _event() -> AlertEvent:
    return AlertEvent(
        kind=EventKind.FIRED,
        key="liq_distance:btc-lev",
        rule="liq_distance",
        severity=Severity.CRITICAL,
        hedge="btc-lev",
        venue="bybit",
        title="btc-lev liquidation distance 6.1%",
        message="btc-lev liquidation distance is 6.1%",
        value=6.1,
        threshold=7.5,
        at=1_700_000_000.0,
    )


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def _log_alert(path: Path) -> None:
    sink = JsonLinesLogSink(path)
    try:
        await sink.deliver(_event())
    finally:
        sink.close()


def _audit(path: Path) -> None:
    AuditLog(path).write("plan", hedge="btc-lev")


@pytest.fixture(autouse=True)
def _permissive_umask() -> object:
    old = os.umask(0o022)  # the usual umask: a plain open() would make 0644
    yield
    os.umask(old)


async def test_alert_log_is_created_0600(tmp_path: Path) -> None:
    path = tmp_path / "state" / "alerts.jsonl"
    await _log_alert(path)
    assert _mode(path) == 0o600


def test_audit_log_is_created_0600(tmp_path: Path) -> None:
    path = tmp_path / "state" / "audit.jsonl"
    _audit(path)
    assert _mode(path) == 0o600


async def test_existing_world_readable_logs_are_tightened(tmp_path: Path) -> None:
    alerts, audit = tmp_path / "alerts.jsonl", tmp_path / "audit.jsonl"
    for path in (alerts, audit):
        path.write_text('{"old": 1}\n')
        path.chmod(0o644)
    await _log_alert(alerts)
    _audit(audit)
    for path in (alerts, audit):
        assert _mode(path) == 0o600, path
        lines = path.read_text().splitlines()
        assert lines[0] == '{"old": 1}' and len(lines) == 2  # appended, nothing lost


def test_an_audit_log_that_cannot_be_opened_is_one_line_naming_the_path(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)  # no reader: a blocking open would wait forever
    for path in (tmp_path, blocker / "audit.jsonl", fifo, Path("/dev/null")):
        with pytest.raises(AuditLogError) as info:
            _audit(path)
        assert str(info.value).startswith(f"audit log {path}: ")
        assert "\n" not in str(info.value)


async def test_an_alert_log_that_is_a_fifo_fails_at_once_with_a_sink_error(tmp_path: Path) -> None:
    fifo = tmp_path / "alerts.fifo"
    os.mkfifo(fifo)
    with pytest.raises(SinkError, match="cannot write the alert log"):
        await _log_alert(fifo)


async def test_dev_null_still_turns_the_alert_log_off() -> None:
    await _log_alert(Path("/dev/null"))  # no error, nothing kept (the audit log refuses it)
