"""The watcher's stdout, written by its own thread so a slow or stopped reader never blocks.

``hedgetui watch | slow-consumer``: once the pipe is full, a plain ``write`` blocks the event
loop, and with it the alert evaluation, the alert log and the push sinks. :class:`LineOutput`
takes lines into a bounded queue and returns at once; a writer thread writes them (straight
to the file descriptor, not through ``sys.stdout``'s lock, so a write stuck at exit cannot
wedge the interpreter's shutdown). While the reader lags, only the newest status line waits
(older ones are dropped and counted); events and problems wait up to ``max_pending`` lines,
then newer ones are dropped and counted too. The next line written after a drop is preceded
by a summary (``... 12 status lines dropped``). The alert log and the push sinks are fed by
the dispatcher, never through here, so they lose nothing.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TextIO

from hedgetui import glyphs

# (status lines dropped, other lines dropped) -> the summary line
Summary = Callable[[int, int], str]


def text_summary(status: int, other: int) -> str:
    parts = [f"{status} status line{'s' if status != 1 else ''}"] if status else []
    if other:
        parts.append(f"{other} alert/problem line{'s' if other != 1 else ''}")
    return f"... {' and '.join(parts)} dropped: the output was not being read"


@dataclass(slots=True)
class _Chunk:
    text: str
    status: bool


class LineOutput:
    """Bounded, non-blocking line output to ``stream`` (see the module docstring)."""

    def __init__(
        self,
        stream: TextIO,
        *,
        summary: Summary = text_summary,
        max_pending: int = 1000,
    ) -> None:
        self._stream = stream
        self._fd = _own_fd(stream)
        self._summary = summary
        self._max_pending = max_pending
        self._queue: deque[_Chunk] = deque()
        self._cond = threading.Condition()
        self._dropped_status = 0
        self._dropped_other = 0
        self._closing = False
        self._broken = False
        self._thread = threading.Thread(target=self._run, name="hedgetui-output", daemon=True)
        self._thread.start()

    # -- producers (any thread; never block) ---------------------------------------------

    def line(self, text: str) -> None:
        """An event or a problem: kept unless ``max_pending`` lines are already waiting."""
        self._put(_Chunk(text + "\n", status=False))

    def status(self, text: str) -> None:
        """A status line: replaces a status line still waiting (only the newest matters)."""
        self._put(_Chunk(text + "\n", status=True))

    def raw(self, text: str) -> None:
        """Terminal bytes (a bell, an OSC notification) kept like an event line."""
        self._put(_Chunk(text, status=False))

    def _put(self, chunk: _Chunk) -> None:
        with self._cond:
            if self._broken or self._closing:
                return
            if chunk.status:
                waiting = [c for c in self._queue if c.status]
                if waiting:
                    self._queue = deque(c for c in self._queue if not c.status)
                    self._dropped_status += len(waiting)
            if len(self._queue) >= self._max_pending:
                if chunk.status:
                    self._dropped_status += 1
                else:
                    self._dropped_other += 1
                return
            self._queue.append(chunk)
            self._cond.notify()

    def pending(self) -> int:
        """Lines waiting for the writer (not counting one it is writing)."""
        with self._cond:
            return len(self._queue)

    def dropped(self) -> tuple[int, int]:
        """(status lines, other lines) dropped so far and not yet summarised."""
        with self._cond:
            return self._dropped_status, self._dropped_other

    # -- the writer thread ----------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._closing:
                    self._cond.wait()
                if not self._queue:
                    return
                chunk = self._queue.popleft()
                text = chunk.text
                if self._dropped_status or self._dropped_other:
                    note = self._summary(self._dropped_status, self._dropped_other)
                    text = note + "\n" + text
                    self._dropped_status = self._dropped_other = 0
            ok = self._write(text)
            with self._cond:
                if not ok:
                    self._broken = True
                    self._queue.clear()
                self._cond.notify_all()
                if not ok:
                    return

    def _write(self, text: str) -> bool:
        try:
            if self._fd is None:
                self._stream.write(text)
                self._stream.flush()
                return True
            data = glyphs.text(text).encode("utf-8", "replace")  # ASCII mode: the twins
            while data:
                written = os.write(self._fd, data)
                data = data[written:]
        except (OSError, ValueError):  # the reader went away (EPIPE) or the stream closed
            return False
        return True

    def close(self, timeout_s: float = 2.0) -> bool:
        """Write what is queued for at most ``timeout_s``; True if everything was written."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self._thread.join(timeout_s)
        with self._cond:
            return not self._thread.is_alive() and not self._broken


def _own_fd(stream: TextIO) -> int | None:
    """The descriptor to write to directly: only the process's real stdout/stderr (a test's
    captured stream or a ``StringIO`` is written through its own ``write``), also under an
    ASCII-mode wrapper (``glyphs.AsciiStream``: :meth:`LineOutput._write` writes the twins)."""
    stream = glyphs.unwrapped(stream)
    if stream not in (sys.__stdout__, sys.__stderr__):
        return None
    try:
        fd = stream.fileno()
    except (OSError, ValueError, io.UnsupportedOperation):
        return None
    with contextlib.suppress(OSError, ValueError):
        stream.flush()  # anything printed before comes first
    return fd


class QueuedStream:
    """A text stream for the bell and OSC sinks that writes through a :class:`LineOutput`."""

    def __init__(self, output: LineOutput, stream: TextIO) -> None:
        self._output = output
        self._stream = stream

    def write(self, text: str, /) -> int:
        self._output.raw(text)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        try:
            return self._stream.isatty()
        except (OSError, ValueError):
            return False


class LineLogHandler(logging.Handler):
    """Log records as lines through a :class:`LineOutput` (the watcher's stderr), formatted
    as Python's last-resort handler does (the message alone), so logging never blocks."""

    def __init__(self, output: LineOutput) -> None:
        super().__init__(logging.WARNING)
        self._output = output

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._output.line(self.format(record))
        except Exception:
            self.handleError(record)


@contextlib.contextmanager
def logging_to(output: LineOutput, logger: str = "hedgetui") -> Iterator[None]:
    """While inside, ``logger``'s warnings go through ``output`` instead of straight to stderr."""
    handler = LineLogHandler(output)
    target = logging.getLogger(logger)
    target.addHandler(handler)
    try:
        yield
    finally:
        target.removeHandler(handler)
