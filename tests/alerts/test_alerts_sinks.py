"""Sinks against real loopback servers and real files/processes; the dispatcher's retry."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import socket
import stat
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from hedgetui.alerts.engine import AlertEngine
from hedgetui.alerts.model import AlertEvent, EventKind, Severity
from hedgetui.alerts.sinks import AlertDispatcher, SinkError, build_sinks
from hedgetui.alerts.sinks.bell import BellSink
from hedgetui.alerts.sinks.desktop_osc import (
    DesktopOscSink,
    osc_flavor,
    osc_notification,
    tmux_passthrough,
)
from hedgetui.alerts.sinks.log_file import JsonLinesLogSink
from hedgetui.alerts.sinks.notify_send import NotifySendSink
from hedgetui.alerts.sinks.push import AppriseSink, with_socket_timeouts
from hedgetui.clock import ManualClock
from hedgetui.config import AlertSettings
from tests.alerts_views import hedge, view, with_liq
from tests.http_recorder import RecordingServer, recording_server


def event(kind: EventKind = EventKind.FIRED, severity: Severity = Severity.CRITICAL) -> AlertEvent:
    return AlertEvent(
        kind=kind,
        key="liq_distance:btc-lev",
        rule="liq_distance",
        severity=severity,
        hedge="btc-lev",
        venue="bybit",
        title="btc-lev liquidation distance 6.1%",
        message="btc-lev liquidation distance is 6.1% (warning below 15%; critical below 7.5%)",
        value=6.1,
        threshold=7.5,
        at=1_700_000_000.0,
    )


@pytest.fixture
def http_server(request: pytest.FixtureRequest) -> Iterator[RecordingServer]:
    with recording_server(fail_first=getattr(request, "param", 0)) as server:
        yield server


async def test_apprise_delivers_title_body_and_severity(http_server: RecordingServer) -> None:
    sink = AppriseSink([f"json://127.0.0.1:{http_server.port}/"], timeout_s=5.0)
    try:
        await sink.deliver(event())
        await sink.deliver(event(EventKind.RESOLVED, Severity.WARNING))
    finally:
        sink.close()
    first, second = http_server.bodies
    assert first["title"] == "[CRITICAL] btc-lev liquidation distance 6.1%"
    assert first["message"] == event().message
    assert first["type"] == "failure"
    assert second["title"] == "[RESOLVED] btc-lev liquidation distance 6.1%"
    assert second["type"] == "success"


@pytest.mark.parametrize("http_server", [2], indirect=True)
async def test_dispatcher_retries_with_backoff_and_reports_once(
    http_server: RecordingServer, caplog: pytest.LogCaptureFixture
) -> None:
    token = "s3cr3tT0k3n"
    url = f"json://127.0.0.1:{http_server.port}/{token}"
    problems: list[str] = []
    sink = AppriseSink([url], timeout_s=5.0)
    dispatcher = AlertDispatcher(
        [sink], on_problem=problems.append, backoff_initial_s=0.02, max_attempts=5
    )
    dispatcher.start()
    with caplog.at_level(logging.WARNING):
        dispatcher.submit([event()])
        assert await dispatcher.drain(10.0)
        await dispatcher.close()
    assert http_server.requests == 3
    assert len(http_server.bodies) == 1
    assert len([p for p in problems if "failed" in p]) == 1  # reported once, not per attempt
    assert problems[-1].endswith("works again")
    stats = dispatcher.stats()[sink.name]
    assert (stats.delivered, stats.failed_attempts, stats.problem) == (1, 2, None)
    shown = " ".join(problems) + caplog.text + sink.name
    assert token not in shown and "***" in sink.name


async def test_a_hanging_push_service_does_not_stall_evaluation() -> None:
    """A server that accepts and never answers: deliveries time out off the loop while an
    evaluate loop keeps its pace."""
    listener = socket.create_server(("127.0.0.1", 0))  # listens; never accepts nor answers
    port = listener.getsockname()[1]
    problems: list[str] = []
    sink = AppriseSink([f"json://127.0.0.1:{port}/"], timeout_s=0.3)
    dispatcher = AlertDispatcher([sink], on_problem=problems.append, backoff_initial_s=0.05)
    dispatcher.start()
    clock = ManualClock()
    eng = AlertEngine(AlertSettings(pending_s=0.0, rate_limit_per_min=1000), clock=clock)
    gaps: list[float] = []
    last = time.perf_counter()
    started = last
    try:
        for i in range(80):  # ~0.8 s of a 100 Hz evaluate loop
            distance = 5.0 if i % 20 < 10 else 40.0  # fires and resolves, again and again
            dispatcher.submit(eng.evaluate(view(with_liq(hedge(), distance))))
            clock.advance(1)
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now
    finally:
        elapsed = time.perf_counter() - started
        await dispatcher.close(timeout_s=0.1)
        listener.close()
    assert problems and "no answer in 0.3 s" in problems[0]
    assert dispatcher.stats()[sink.name].delivered == 0
    # the loop never waited on the sink: no gap anywhere near the 0.3 s sink timeout
    assert max(gaps) < 0.2, max(gaps)
    assert elapsed < 80 * 0.01 + 0.5


async def test_log_sink_appends_one_flushed_json_line_per_event(tmp_path: Path) -> None:
    path = tmp_path / "state" / "alerts.jsonl"
    sink = JsonLinesLogSink(path)
    await sink.deliver(event())
    assert json.loads(path.read_text())["event"] == "fired"  # flushed while still open
    await sink.deliver(event(EventKind.RESOLVED))
    sink.close()
    sink2 = JsonLinesLogSink(path)  # append-only: a new run adds, never truncates
    await sink2.deliver(replace(event(), notify=False, suppressed_by="rate_limit"))
    sink2.close()
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    assert [x["event"] for x in lines] == ["fired", "resolved", "fired"]
    assert lines[0]["type"] == "alert" and lines[0]["key"] == "liq_distance:btc-lev"
    assert lines[2]["suppressed_by"] == "rate_limit"


async def test_log_sink_failure_is_a_clear_sink_error(tmp_path: Path) -> None:
    problems: list[str] = []
    dispatcher = AlertDispatcher(
        [JsonLinesLogSink(tmp_path)],
        on_problem=problems.append,
        backoff_initial_s=0.01,
        max_attempts=2,
    )  # a directory cannot be opened as a file
    dispatcher.start()
    dispatcher.submit([event()])
    assert await dispatcher.drain(2.0)
    await dispatcher.close()
    assert len(problems) == 1 and "cannot write the alert log" in problems[0]
    assert next(iter(dispatcher.stats().values())).given_up == 1


def test_osc_sequences() -> None:
    assert osc_notification("T", "b;x", "777") == "\x1b]777;notify;T;b,x\x1b\\"
    assert osc_notification("T", "b", "9") == "\x1b]9;T: b\x1b\\"
    assert osc_notification("T", "b", "99") == (
        "\x1b]99;i=1:d=0;T\x1b\\\x1b]99;i=1:d=1:p=body;b\x1b\\"
    )
    assert osc_notification("a\x1bb\x07", "", "9") == "\x1b]9;a b : \x1b\\"
    assert tmux_passthrough("\x1b]9;x\x1b\\") == "\x1bPtmux;\x1b\x1b]9;x\x1b\x1b\\\x1b\\"
    assert osc_flavor({"KITTY_WINDOW_ID": "1"}) == "99"
    assert osc_flavor({"TERM_PROGRAM": "iTerm.app"}) == "9"
    assert osc_flavor({"TERM": "xterm-256color"}) == "777"


async def test_desktop_osc_sink_wraps_for_tmux() -> None:
    out = io.StringIO()
    sink = DesktopOscSink(out, {"TMUX": "/tmp/tmux-0/default,1,0", "TERM": "screen"})
    await sink.deliver(event())
    text = out.getvalue()
    assert text.startswith("\x1bPtmux;\x1b\x1b]777;notify;[CRITICAL] btc-lev")
    assert text.endswith("\x1b\\")


async def test_bell_rings_for_warnings_not_info_or_resolved() -> None:
    out = io.StringIO()
    sink = BellSink(out)
    assert sink.wants(event())
    assert not sink.wants(event(severity=Severity.INFO))
    assert not sink.wants(event(EventKind.RESOLVED))
    assert not sink.wants(replace(event(), notify=False))
    await sink.deliver(event())
    assert out.getvalue() == "\a"


async def test_notify_send_runs_the_program(tmp_path: Path) -> None:
    record = tmp_path / "args"
    program = tmp_path / "notify-send"
    program.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {record}\n')
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    await NotifySendSink(str(program)).deliver(event())
    args = record.read_text().splitlines()
    assert args[:4] == ["-a", "hedgetui", "-u", "critical"]
    assert args[4] == "[CRITICAL] btc-lev liquidation distance 6.1%"


async def test_notify_send_failure_is_reported(tmp_path: Path) -> None:
    program = tmp_path / "notify-send"
    program.write_text("#!/bin/sh\necho 'no dbus session' >&2\nexit 1\n")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    with pytest.raises(Exception, match="no dbus session"):
        await NotifySendSink(str(program)).deliver(event())


def test_build_sinks_from_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no notify-send here
    settings = AlertSettings(
        log_path=str(tmp_path / "a.jsonl"),
        notify_send=True,
        desktop_osc=True,
        apprise_urls=("ntfy://ntfy.sh/my-secret-topic",),
    )
    sinks, notes = build_sinks(settings, terminal=io.StringIO(), env=dict(os.environ))
    names = [s.name for s in sinks]
    assert names[0] == f"log {tmp_path / 'a.jsonl'}"
    assert names[1] == "apprise ntfy://ntfy.sh/***"
    assert len(names) == 2  # no TTY: no bell, no OSC; no notify-send on PATH
    assert any("notify-send is not installed" in n for n in notes)
    assert any("not a terminal" in n for n in notes)
    for sink in sinks:
        close = getattr(sink, "close", None)
        if close:
            close()


def test_socket_timeouts_added_unless_set() -> None:
    assert with_socket_timeouts("json://h/", 3) == "json://h/?cto=3&rto=3"
    assert with_socket_timeouts("json://h/?x=1", 2.5) == "json://h/?x=1&cto=2.5&rto=2.5"
    assert with_socket_timeouts("json://h/?rto=9", 3) == "json://h/?rto=9"


async def test_an_apprise_url_it_cannot_parse_is_a_clear_redacted_error() -> None:
    sink = AppriseSink(["nosuchservice://user:hunter2@example.com/tok"], timeout_s=5.0)
    try:
        with pytest.raises(SinkError) as err:
            await sink.deliver(event())
    finally:
        sink.close()
    assert "apprise does not understand nosuchservice://" in str(err.value)
    assert "hunter2" not in str(err.value) and "tok" not in str(err.value)
