"""``watch --metrics``: a bad address or a port in use is one line and exit 2 before any feed
connects; a non-loopback address is served but said on stderr; a scrape answers."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.metrics.test_prometheus import free_port


def watch(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hedgetui", "watch", "--demo", "--scenario", "calm", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.parametrize("address", ["abc", "127.0.0.1:99999", "::1:9108"])
def test_a_bad_address_is_one_usage_line(address: str) -> None:
    done = watch("--metrics", address)
    assert done.returncode == 2
    assert "argument --metrics" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_port_in_use_is_one_line_and_exit_2() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = watch("--metrics", f"127.0.0.1:{port}", "--duration", "5")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"hedgetui watch: cannot serve metrics on http://127.0.0.1:{port}/")


def test_a_bare_port_serves_on_loopback_and_a_scrape_answers() -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "hedgetui", "watch", "--demo", "--scenario", "calm",
         "--interval", "3600", "--metrics", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        text = ""
        while "hedgetui_hedge_stale" not in text and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as r:
                    text = r.read().decode()
            except OSError:
                time.sleep(0.2)
        assert 'hedgetui_hedge_stale{coin="BTC",hedge="btc-lev"' in text
        assert "hedgetui_build_info{" in text
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert f"metrics on http://127.0.0.1:{port}/metrics\n" in err
    assert "not loopback" not in err


def test_a_non_loopback_address_is_said_on_stderr() -> None:
    done = watch("--metrics", f"0.0.0.0:{free_port()}", "--duration", "0.5")
    assert done.returncode == 0, done.stderr
    assert "not loopback: other machines can read it" in done.stderr
