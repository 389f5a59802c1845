"""Textual's Linux/macOS terminal driver, with an input thread that sleeps until there is input.

Textual's input thread polls the terminal with ``select(timeout=0.1)``: ten wakes a second for a
dashboard nobody is typing into, each taking the GIL from the thread that paints (on the VM this
was measured on, such a thread alone costs 0.15 % of a core, ``benchmarks/wake_cost.py``). It
polls for two reasons, both kept here without the polling:

* a lone Escape is told from the start of an escape sequence by a timeout in the key parser;
  the thread waits exactly until that timeout when one is running, and without limit otherwise;
* the thread must notice ``exit_event`` (quitting, suspending): setting it writes a byte to a
  pipe the thread also waits on.

The loop is Textual 8.2.8's own ``run_input_thread`` (Textual is pinned) with those two
changes; everything else about the driver is Textual's. Its private names (the key parser and
its timeout) come from :mod:`hedgetui.ui.textual_fast`, and the app uses this driver only while
the fast paths are on.
"""

from __future__ import annotations

import contextlib
import os
import selectors
from codecs import getincrementaldecoder
from threading import Event
from typing import Any

from textual.drivers.linux_driver import LinuxDriver

from hedgetui.ui.textual_fast import KEY_PARSE_ERROR, key_parser, key_timeout

_READ_SIZE = 4096


class _WakingEvent(Event):
    """An ``Event`` whose ``set`` also wakes a thread blocked on ``wake_fd``'s pipe."""

    def __init__(self, wake_fd: int) -> None:
        super().__init__()
        self._wake_fd: int | None = wake_fd

    def set(self) -> None:
        super().set()
        if self._wake_fd is not None:
            with contextlib.suppress(BlockingIOError):  # the pipe is full: a wake is pending
                os.write(self._wake_fd, b"x")

    def forget_pipe(self) -> None:
        """The pipe is about to close: never write to its number again (it may be reused)."""
        self._wake_fd = None


class QuietInputDriver(LinuxDriver):
    """``LinuxDriver`` whose input thread wakes for input, key timeouts and exit only."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_read, False)
        os.set_blocking(self._wake_write, False)
        self._exit_event = _WakingEvent(self._wake_write)
        self.exit_event = self._exit_event

    def close(self) -> None:
        super().close()
        self._exit_event.forget_pipe()
        for fd in (self._wake_read, self._wake_write):
            with contextlib.suppress(OSError):
                os.close(fd)

    def run_input_thread(self) -> None:
        """Wait for input (or a key timeout, or exit) and dispatch events."""
        fileno = self.fileno
        wake = self._wake_read
        self._drain_wakes()
        selector = selectors.SelectSelector()
        selector.register(fileno, selectors.EVENT_READ)
        selector.register(wake, selectors.EVENT_READ)
        parser = key_parser(self)
        feed = parser.feed
        tick = parser.tick
        decode = getincrementaldecoder("utf-8")().decode

        def process(ready: list[tuple[selectors.SelectorKey, int]]) -> None:
            if any(key.fd == fileno for key, _ in ready):
                unicode_data = decode(os.read(fileno, _READ_SIZE))
                if unicode_data:  # empty: stdin is piped and at its end
                    for event in feed(unicode_data):
                        self.process_message(event)
            for event in tick():
                self.process_message(event)

        try:
            while not self.exit_event.is_set():
                ready = selector.select(key_timeout(parser))  # None: for ever
                if any(key.fd == wake for key, _ in ready):
                    self._drain_wakes()
                process(ready)
            # Textual's loop ends with a 0.1 s select on no descriptor at all (it unregisters
            # the terminal first), so nothing more is ever read: only a key timeout can fall due
            process([])
        finally:
            selector.close()
            with contextlib.suppress(EOFError, KEY_PARSE_ERROR):
                for _event in feed(""):
                    pass

    def _drain_wakes(self) -> None:
        with contextlib.suppress(OSError):  # BlockingIOError: drained
            while os.read(self._wake_read, 512):
                pass
