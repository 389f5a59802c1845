"""The dashboard's cost and responsiveness with live feeds from the simulator.

The simulator runs in a CHILD process (so its CPU is not counted) serving 5 venues, one instrument
each (scenario ``calm``; see ``--load``), each venue ticking out of step with the others as real
venues do (a simulator per venue, started a fifth of a tick apart: five sockets that all tick in
the same instant wake the measured process once where real venues wake it five times). The
measured process runs what ``hedgetui demo``
runs: the 5 feeds, the store and the Textual app with its alerts panel built by
``hedgetui.ui.launch.dashboard_alerts`` (refresh at 10 Hz), on a pseudo-terminal of ``--size``
(120x40) that this process reads (``--headless``: in this process, with no terminal), and
measures:

* **start-up**: from the start of this script (before Textual is imported) to the first frame
  painted, and to the first frame showing live numbers for every hedge;
* **CPU**: ``time.process_time()`` of this process over ``--windows`` (default 3) windows of
  ``--seconds`` (default 20) of steady state each, as % of one core. Every window is printed and
  the lowest is the result: on a shared machine (a VM here) other work only ever ADDS to a
  window's CPU time, so the least-disturbed window is the best estimate of the cost, the way
  ``timeit`` and benchmarks/ingest.py report the best of several repeats;
* **latency**, to the moment a frame's price is painted (after the widget update, once Textual
  has refreshed the screen), from two starts:

  - **sent**: the frame's exchange timestamp, which the simulator stamps with the wall clock
    when it makes the tick (milliseconds, truncated: up to 1 ms too old). This counts the time
    a frame waits in its socket before the dashboard reads it (``feeds.read_gate``);
  - **read**: the feed handing the event to the store.

  For each paint and each venue whose price changed, ``oldest`` is the age of the oldest frame
  that waited for this paint (superseded frames included), ``shown`` the newest's (the value
  on screen).

``--tls`` puts a TLS proxy (a self-signed certificate made with ``openssl``, trusted through
``SSL_CERT_FILE``) in front of each venue's simulator and connects with ``wss://``, as to the
real venues: asyncio's TLS transport cannot stop reading the socket between passes, only
deliver less often, so this measures what the read passes save over TLS.

``--read-each-frame`` reads every frame as it arrives, as the dashboard did before it read the
sockets in passes (and as ``hedgetui watch`` does): the same build, the old way, to compare.

Usage::

    .venv/bin/python benchmarks/dashboard.py [--seconds 20] [--windows 3] [--refresh-hz 10]
        [--size 200x50] [--load heavy|issue] [--tick-hz 10] [--read-each-frame] [--tls]

``--load issue`` is the issue's load: 5 feeds, each socket carrying ``--tick-hz`` (10) frames/s
in total (~50 frames/s). ``--load heavy`` (default) ticks every channel of every instrument at
``--tick-hz``: 70 frames/s, ~130 events/s (okx sends three channels).
"""

from __future__ import annotations

import time

T0 = time.perf_counter()  # before any heavy import: start-up counts the imports too

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

from hedgetui import event_loop  # noqa: E402

VENUES = ("bitmex", "okx", "deribit", "bybit", "binance")
# Frames one simulator tick sends on each venue's socket for the demo's one instrument per venue
# (okx: mark-price, index-tickers and funding-rate are three channels; the others carry mark,
# index and funding in one frame). ``--load issue`` divides the tick rate by this so that every
# socket carries exactly ``--tick-hz`` frames/s; the run prints the frames/s it counted per feed.
FRAMES_PER_TICK = {"bitmex": 1, "okx": 3, "deribit": 1, "bybit": 1, "binance": 1}
SIM_CODE = """
import asyncio, json, sys
from hedgetui import event_loop
from hedgetui.sim import start_simulator
RATES = {rates!r}  # venue -> simulator tick rate
TLS = {tls!r}  # (certificate, key) to serve wss:// with, or None
# one simulator per venue, each started a fraction of a tick after the one before: the venues'
# frames arrive at different moments, as real venues' do (not all in the same instant)
STAGGER_S = 1 / (max(RATES.values()) * len(RATES))
def forwarder(port):
    async def forward(reader, writer):
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", port)
        async def pipe(source, sink):
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            finally:
                sink.close()
        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer),
                             return_exceptions=True)
    return forward
async def main():
    sims, proxies, urls = [], [], {{}}
    for venue, hz in RATES.items():
        sim = await start_simulator(venues=(venue,), scenario="calm", speed=1.0, tick_hz=hz,
                                    control=False)
        sims.append(sim)
        urls[venue] = sim.ws_url(venue)
        await asyncio.sleep(STAGGER_S)
    if TLS:  # wss:// to a proxy that forwards the plain bytes to the simulator
        import ssl
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*TLS)
        for venue, url in list(urls.items()):
            port = int(url.split(":")[2].split("/")[0])
            proxy = await asyncio.start_server(forwarder(port), "127.0.0.1", 0, ssl=context)
            proxies.append(proxy)
            tls_port = proxy.sockets[0].getsockname()[1]
            urls[venue] = url.replace(f"ws://127.0.0.1:{{port}}", f"wss://127.0.0.1:{{tls_port}}")
    print(json.dumps(urls), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    for proxy in proxies:
        proxy.close()
    for sim in sims:
        await sim.close()
event_loop.run(main())
"""


def tick_rates(load: str, tick_hz: float) -> dict[str, float]:
    """Venue -> simulator tick rate: ``heavy`` ticks every channel at ``tick_hz``; ``issue``
    gives every feed ``tick_hz`` frames/s in total (the issue's "5 feeds at 10 frames/s")."""
    if load == "heavy":
        return dict.fromkeys(VENUES, tick_hz)
    return {v: tick_hz / FRAMES_PER_TICK[v] for v in VENUES}


def self_signed_certificate() -> tuple[str, str]:
    """(certificate, key) files for 127.0.0.1, made with the ``openssl`` command."""
    import tempfile

    folder = tempfile.mkdtemp(prefix="hedgetui-bench-tls-")
    cert, key = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", key, "-out", cert, "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


async def feeds_only_cpu(
    urls: dict[str, str], seconds: float, windows: int, read_period_s: float | None
) -> list[float]:
    """CPU % of the same feeds and store with no UI: the floor the dashboard adds to (reading
    the sockets in passes every ``read_period_s`` when the dashboard does)."""
    from hedgetui.demo.portfolio import demo_settings
    from hedgetui.runtime import Runtime
    from hedgetui.sim.scenarios import get_scenario

    scenario = get_scenario("calm")
    settings = demo_settings(scenario.initial("BTC").mark, scenario.initial("ETH").mark, urls)
    runtime = Runtime(settings, extra_venues=VENUES)
    if read_period_s is not None:
        runtime.read_in_passes(read_period_s)
    async with runtime:
        await asyncio.sleep(2.0)
        result = []
        for _ in range(windows):
            cpu0, wall0 = time.process_time(), time.perf_counter()
            await asyncio.sleep(seconds)
            runtime.store.snapshot()
            result.append(100 * (time.process_time() - cpu0) / (time.perf_counter() - wall0))
        return result


async def measure(
    urls: dict[str, str],
    seconds: float,
    refresh_hz: float,
    alerts_panel: bool,
    size: tuple[int, int] = (120, 40),
    windows: int = 3,
    headless: bool = True,
    read_in_passes: bool = True,
) -> dict[str, float]:
    import dataclasses

    from hedgetui.demo.portfolio import demo_settings
    from hedgetui.domain import DashboardView, Event, MarkPrice, Ticker
    from hedgetui.heap import freeze_after_start_up
    from hedgetui.runtime import Runtime
    from hedgetui.sim.scenarios import get_scenario
    from hedgetui.ui.app import HedgeApp, read_period
    from hedgetui.ui.launch import dashboard_alerts

    scenario = get_scenario("calm")
    settings = demo_settings(scenario.initial("BTC").mark, scenario.initial("ETH").mark, urls)
    settings = dataclasses.replace(
        settings, display=dataclasses.replace(settings.display, refresh_hz=refresh_hz)
    )
    runtime = Runtime(settings, extra_venues=VENUES)
    # as hedgetui.ui.launch.run_dashboard does
    gate = runtime.read_in_passes(read_period(refresh_hz)) if read_in_passes else None
    # venue -> (read time, exchange timestamp in ms) of each frame since the last paint
    waiting: dict[str, list[tuple[float, int | None]]] = {}

    def stamp(event: Event) -> None:
        if isinstance(event, MarkPrice) or (isinstance(event, Ticker) and event.mark is not None):
            waiting.setdefault(event.venue, []).append((time.perf_counter(), event.ts))

    runtime.add_sink(stamp)
    panel, dispatcher, _notes = dashboard_alerts(runtime)  # exactly as `hedgetui demo` mounts it
    app = HedgeApp(
        runtime.store,
        refresh_hz=refresh_hz,
        alerts_panel=panel if alerts_panel else None,
        mount_alerts=False,
        read_gate=gate,
    )
    shown: list[float] = []
    oldest: list[float] = []
    sent_shown: list[float] = []
    sent_oldest: list[float] = []
    first_paint: list[float] = []
    first_live: list[float] = []

    def painted(view: DashboardView) -> None:
        batch = dict(waiting)
        waiting.clear()

        def on_screen() -> None:
            now, wall_ms = time.perf_counter(), time.time() * 1000
            for frames in batch.values():
                shown.append(now - frames[-1][0])
                oldest.append(now - frames[0][0])
                first_ts, last_ts = frames[0][1], frames[-1][1]
                if first_ts is not None and last_ts is not None:
                    sent_oldest.append((wall_ms - first_ts) / 1000)
                    sent_shown.append((wall_ms - last_ts) / 1000)

        app.call_after_refresh(on_screen)

    live = asyncio.Event()

    def watch_start(view: DashboardView) -> None:
        """Until live: note the first paint and the first paint with every hedge's numbers."""

        def on_screen() -> None:
            now = time.perf_counter()
            if not first_paint:
                first_paint.append(now - T0)
            if not first_live and view.hedges and all(h.report for h in view.hedges):
                first_live.append(now - T0)
                live.set()

        app.call_after_refresh(on_screen)

    app.on_painted = watch_start
    result: dict[str, float] = {}

    async def drive() -> None:
        try:
            await asyncio.wait_for(live.wait(), timeout=30)
        except TimeoutError:
            result["failed"] = 1.0  # no live numbers within 30 s: report, do not hang
            app.exit()
            return
        app.on_painted = None  # the CPU window runs with no measuring hook at all
        await asyncio.sleep(2.0)  # settle
        result["cpu_windows_start"] = time.perf_counter()
        for window in range(windows):
            cpu0, wall0 = time.process_time(), time.perf_counter()
            frames0 = app.frames_painted
            events0 = sum(f.stats.events for f in runtime.feeds.values())
            feed_frames0 = {v: f.stats.frames for v, f in runtime.feeds.items()}
            await asyncio.sleep(seconds)
            cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
            events = sum(f.stats.events for f in runtime.feeds.values()) - events0
            for v, f in runtime.feeds.items():
                result[f"frames_per_s:{v}"] = (f.stats.frames - feed_frames0[v]) / wall
            result[f"cpu_pct:{window}"] = 100 * cpu / wall
            result[f"paints_per_s:{window}"] = (app.frames_painted - frames0) / wall
            result["events_per_s"] = events / wall
        result["cpu_windows_end"] = time.perf_counter()
        waiting.clear()
        app.on_painted = painted  # then the latency window
        await asyncio.sleep(min(seconds, 10.0))
        app.exit()

    freeze = freeze_after_start_up(asyncio.get_running_loop())  # as hedgetui.ui.launch does
    await runtime.start()
    try:
        task = asyncio.create_task(drive())
        # on a terminal (the pty ``in_terminal`` made) the size is the terminal's
        await app.run_async(headless=headless, size=size if headless else None)
        await task
    finally:
        freeze.cancel()
        await dispatcher.close(timeout_s=1.0)
        await runtime.stop()
    if result.get("failed"):
        raise SystemExit("benchmark: no live numbers from the simulator within 30 s")
    result.update(
        first_paint_s=first_paint[0],
        first_live_s=first_live[0],
        shown_p50_ms=1000 * statistics.median(shown),
        shown_p99_ms=1000 * percentile(shown, 99),
        oldest_p50_ms=1000 * statistics.median(oldest),
        oldest_p99_ms=1000 * percentile(oldest, 99),
        sent_shown_p50_ms=1000 * statistics.median(sent_shown),
        sent_shown_p99_ms=1000 * percentile(sent_shown, 99),
        sent_oldest_p50_ms=1000 * statistics.median(sent_oldest),
        sent_oldest_p99_ms=1000 * percentile(sent_oldest, 99),
        sent_max_ms=1000 * max(sent_oldest),
        samples=float(len(shown)),
    )
    return result


def in_terminal(urls: dict[str, str], size: tuple[int, int]) -> dict[str, float]:
    """Run the measured process (this script, ``--child``) on a pseudo-terminal of ``size``.

    Textual then runs its real terminal driver: every screen update is turned into escape
    sequences and written by its writer thread, as in a tmux pane, and that costs CPU too
    (0.1-0.5 ms a repaint here). This process reads the terminal's output as a terminal
    would, and counts the bytes; the child reports its numbers through a pipe.
    """
    import fcntl
    import pty
    import struct
    import termios
    import threading

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    results_read, results_write = os.pipe()
    written: list[tuple[float, int]] = []  # (time, bytes) of each read from the terminal
    tail = bytearray()  # the terminal's last output, shown if the child fails

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                return
            if not data:
                return
            written.append((time.perf_counter(), len(data)))
            tail[:] = (tail + data)[-4000:]

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    # COLUMNS/LINES would override the terminal's own size (shutil.get_terminal_size)
    dropped = ("NO_COLOR", "TEXTUAL", "COLUMNS", "LINES")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(TERM="xterm-256color", COLORTERM="truecolor")
    child = subprocess.Popen(  # Textual's driver writes to stderr: all three are the terminal
        [sys.executable, __file__, *sys.argv[1:], "--child", f"{json.dumps(urls)},{results_write}"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        pass_fds=(results_write,),
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    os.close(results_write)
    with os.fdopen(results_read) as results:
        report = results.read()
    code = child.wait(timeout=60)
    reader.join(timeout=5)
    os.close(master)
    if code != 0 or not report:
        sys.stderr.write(tail.decode(errors="replace"))
        raise SystemExit(f"benchmark: the measured process failed (exit {code})")
    r: dict[str, float] = json.loads(report)
    start, end = r["cpu_windows_start"], r["cpu_windows_end"]
    in_windows = sum(n for t, n in written if start <= t <= end)
    r["tty_bytes_per_s"] = in_windows / max(1e-9, end - start)
    return r


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="length of a CPU window")
    parser.add_argument(
        "--windows", type=int, default=3, help="CPU windows; the lowest is the result"
    )
    parser.add_argument("--refresh-hz", type=float, default=10.0)
    parser.add_argument(
        "--tick-hz",
        type=float,
        default=10.0,
        help="heavy: every channel of every instrument ticks this often; issue: frames/s per feed",
    )
    parser.add_argument(
        "--load",
        choices=("heavy", "issue"),
        default="heavy",
        help="heavy (default): ~130 events/s; issue: 5 feeds x --tick-hz frames/s each",
    )
    parser.add_argument(
        "--no-alerts-panel", action="store_true", help="measure without the alerts panel"
    )
    parser.add_argument("--size", default="120x40", help="terminal COLSxROWS (default 120x40)")
    parser.add_argument(
        "--headless",
        action="store_true",
        help="no terminal: Textual builds no escape sequences and writes nothing (cheaper)",
    )
    parser.add_argument(
        "--read-each-frame",
        action="store_true",
        help="read every frame as it arrives (no read passes): the dashboard's old way",
    )
    parser.add_argument(
        "--tls",
        action="store_true",
        help="wss:// through a TLS proxy per venue, as to the real venues (needs openssl)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)  # internal: URLS_JSON,RESULTS_FD
    args = parser.parse_args()
    cols, _, rows = args.size.partition("x")
    size = (int(cols), int(rows))

    def measured(urls: dict[str, str], *, headless: bool) -> dict[str, float]:
        return event_loop.run(
            measure(
                urls,
                args.seconds,
                args.refresh_hz,
                not args.no_alerts_panel,
                size,
                args.windows,
                headless=headless,
                read_in_passes=not args.read_each_frame,
            )
        )

    if args.child:  # the measured process, on the pty the parent made
        urls_json, _, fd = args.child.rpartition(",")
        r = measured(json.loads(urls_json), headless=False)
        with os.fdopen(int(fd), "w") as out:
            json.dump(r, out)
        return 0
    tls = self_signed_certificate() if args.tls else None
    if tls is not None:  # the measured process trusts it (websockets' default SSL context)
        os.environ["SSL_CERT_FILE"] = tls[0]
    code = SIM_CODE.format(rates=tick_rates(args.load, args.tick_hz), tls=tls)
    sim = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert sim.stdout is not None
        urls = json.loads(sim.stdout.readline())
        r = measured(urls, headless=True) if args.headless else in_terminal(urls, size)
        from hedgetui.ui.app import read_period

        period = None if args.read_each_frame else read_period(args.refresh_hz)
        floors = event_loop.run(feeds_only_cpu(urls, args.seconds, args.windows, period))
    finally:
        if sim.stdin is not None:
            sim.stdin.close()
        sim.wait(timeout=10)
        if tls is not None:
            shutil.rmtree(os.path.dirname(tls[0]), ignore_errors=True)
    print(
        f"$ .venv/bin/python benchmarks/dashboard.py --seconds {args.seconds:g} "
        f"--windows {args.windows} "
        f"--refresh-hz {args.refresh_hz:g} --tick-hz {args.tick_hz:g} --size {args.size} "
        f"--load {args.load}"
        + (" --no-alerts-panel" if args.no_alerts_panel else "")
        + (" --headless" if args.headless else "")
        + (" --read-each-frame" if args.read_each_frame else "")
        + (" --tls" if args.tls else "")
    )
    per_feed = {k.partition(":")[2]: v for k, v in r.items() if k.startswith("frames_per_s:")}
    load = (
        f"every channel at {args.tick_hz:g} ticks/s"
        if args.load == "heavy"
        else f"{args.tick_hz:g} frames/s per feed"
    )
    print(
        f"feeds: {len(per_feed)} venues, {load} (simulator in a child process): "
        f"{sum(per_feed.values()):.0f} frames/s, {r['events_per_s']:.0f} events/s received"
    )
    print(f"event loop: {event_loop.choose_loop(os.environ)[0]} (HEDGETUI_EVENT_LOOP selects it)")
    print(
        "connections: "
        + ("wss:// through a TLS proxy per venue" if args.tls else "ws:// on loopback, no TLS")
    )
    print("  frames/s per feed: " + "  ".join(f"{v} {n:.1f}" for v, n in per_feed.items()))
    if args.headless:
        print("terminal: none (--headless: no escape sequences built, nothing written)")
    else:
        print(
            f"terminal: a {args.size} pseudo-terminal (truecolor) drained by this process: "
            f"{r['tty_bytes_per_s'] / 1000:.1f} kB/s written in the CPU windows"
        )
    print(f"start -> first painted frame:      {r['first_paint_s'] * 1000:7.0f} ms")
    print(f"start -> first frame with live data:{r['first_live_s'] * 1000:6.0f} ms")
    cpus = [r[f"cpu_pct:{i}"] for i in range(args.windows)]
    paints = [r[f"paints_per_s:{i}"] for i in range(args.windows)]
    best = cpus.index(min(cpus))
    print(
        f"CPU of the dashboard process:      {cpus[best]:7.2f} % of one core "
        f"(best of {args.windows} windows of {args.seconds:g} s; {paints[best]:.1f} paints/s)"
    )
    print("  every window:                   " + ", ".join(f"{c:.2f} %" for c in cpus))
    print(
        f"  of which feeds + store alone:    {min(floors):7.2f} % (same feeds, no UI; windows: "
        + ", ".join(f"{c:.2f}" for c in floors)
        + ")"
    )
    reading = "as each frame arrives" if args.read_each_frame else "in passes, before each paint"
    print(f"sockets read:                      {reading}")
    print(
        f"sent -> screen, oldest waiting:    p50 {r['sent_oldest_p50_ms']:6.1f} ms   "
        f"p99 {r['sent_oldest_p99_ms']:6.1f} ms   max {r['sent_max_ms']:6.1f} ms   "
        f"({r['samples']:.0f} samples)"
    )
    print(
        f"sent -> screen, value shown:       p50 {r['sent_shown_p50_ms']:6.1f} ms   "
        f"p99 {r['sent_shown_p99_ms']:6.1f} ms"
    )
    print(
        f"read -> screen, oldest waiting:    p50 {r['oldest_p50_ms']:6.1f} ms   "
        f"p99 {r['oldest_p99_ms']:6.1f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
