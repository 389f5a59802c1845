"""Ctrl-C and typed answers as things a command awaits, so it decides what an interrupt means.

asyncio's default Ctrl-C cancels the whole command wherever it is, and a blocking stdin read
on the event loop does not see it until Enter. Here SIGINT only counts (:meth:`Interrupts.fire`)
and wakes whatever :meth:`Interrupts.race` is waiting on; the command then says what happened
at that step (nothing sent, or the order in flight being looked up). :func:`read_line` reads
stdin through the loop, so a prompt is interruptible at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Awaitable, Iterator
from typing import TypeVar

T = TypeVar("T")


class Interrupted(Exception):
    """Ctrl-C arrived while :meth:`Interrupts.race` was waiting (the awaited work is cancelled)."""


class Interrupts:
    """Counts Ctrl-C presses; each one not yet handled interrupts the next :meth:`race`."""

    def __init__(self) -> None:
        self.count = 0  # every press, handled or not
        self._pending = 0
        self._event: asyncio.Event | None = None

    def _wakeup(self) -> asyncio.Event:
        if self._event is None:
            self._event = asyncio.Event()
        return self._event

    def fire(self) -> None:
        """One Ctrl-C (the SIGINT handler, or a test)."""
        self.count += 1
        self._pending += 1
        self._wakeup().set()

    def check(self) -> None:
        """Raise :class:`Interrupted` for a Ctrl-C not handled yet."""
        if self._pending:
            self._pending -= 1
            if not self._pending:
                self._wakeup().clear()
            raise Interrupted

    async def race(self, work: Awaitable[T]) -> T:
        """``await work``, unless Ctrl-C comes first: then cancel it and raise Interrupted."""
        if self._pending and asyncio.iscoroutine(work):
            work.close()  # never started: nothing to cancel, no "never awaited" warning
        self.check()
        task = asyncio.ensure_future(work)
        waiter = asyncio.ensure_future(self._wakeup().wait())
        try:
            await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            task.cancel()
            raise
        finally:
            waiter.cancel()
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            self.check()
        return task.result()


@contextlib.contextmanager
def sigint_counted(interrupts: Interrupts) -> Iterator[None]:
    """Route SIGINT to ``interrupts.fire`` for the block (where the loop supports signals)."""
    loop = asyncio.get_running_loop()
    try:
        loop.add_signal_handler(signal.SIGINT, interrupts.fire)
    except (NotImplementedError, RuntimeError, ValueError):  # Windows, or not the main thread
        yield
        return
    try:
        yield
    finally:
        loop.remove_signal_handler(signal.SIGINT)


class LineReader:
    """Lines of a file descriptor (stdin), read through the event loop; the rest is kept."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._buffer = b""
        self._eof = False

    def _take(self) -> str | None:
        end = self._buffer.find(b"\n")
        if end < 0 and not self._eof:
            return None
        cut = len(self._buffer) if end < 0 else end + 1
        line, self._buffer = self._buffer[:cut], self._buffer[cut:]
        return line.decode("utf-8", "replace").rstrip("\r\n")

    def _read_some(self) -> None:
        chunk = os.read(self.fd, 4096)
        if chunk:
            self._buffer += chunk
        else:
            self._eof = True

    async def readline(self) -> str:
        """The next line without its newline ("" at end of input)."""
        line = self._take()
        if line is not None:
            return line
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()

        def readable() -> None:
            if not ready.done():
                ready.set_result(None)

        try:
            loop.add_reader(self.fd, readable)
        except (PermissionError, NotImplementedError, ValueError, OSError):
            # A regular file (never blocks) or a loop without readers: read it directly.
            while (line := self._take()) is None:
                self._read_some()
            return line
        try:
            while True:
                await ready
                self._read_some()
                line = self._take()
                if line is not None:
                    return line
                ready = loop.create_future()
        finally:
            loop.remove_reader(self.fd)
