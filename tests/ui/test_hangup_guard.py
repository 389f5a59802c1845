"""The hang-up guard: the process ends after its terminal is gone, even if the event loop hangs."""

from __future__ import annotations

import threading

from hedgetui.ui.launch import HANGUP_EXIT_CODE, start_hangup_guard


def test_exits_once_the_terminal_stays_gone_for_the_grace_period() -> None:
    states = iter([True, True, False, True, False, False, False, False])  # a blip, then gone
    exited = threading.Event()
    codes: list[int] = []

    def exit_process(code: int) -> None:
        codes.append(code)
        exited.set()

    start_hangup_guard(
        alive=lambda: next(states, False),
        grace_s=0.02,
        poll_s=0.01,
        exit_process=exit_process,
    )
    assert exited.wait(timeout=5)
    assert codes == [HANGUP_EXIT_CODE]


def test_does_nothing_while_the_terminal_is_there() -> None:
    polls = threading.Semaphore(0)
    codes: list[int] = []

    def alive() -> bool:
        polls.release()
        return True

    stop = threading.Event()
    guard = start_hangup_guard(
        alive=alive, grace_s=0.0, poll_s=0.001, exit_process=codes.append, stop=stop
    )
    for _ in range(50):  # fifty polls, all with the terminal alive
        assert polls.acquire(timeout=5)
    stop.set()  # the dashboard exited cleanly: the guard ends
    guard.join(timeout=5)
    assert not guard.is_alive()
    assert codes == []
