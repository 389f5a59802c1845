"""`hedgetui sim`: run the exchange simulator on loopback until Ctrl-C / SIGTERM.

Prints one JSON line per venue ({"venue", "ws", "rest", "symbols", "private_ws"}), then
{"control": URL}, then reads fault commands from stdin (type `help`). With --port N and n venues:
venue k's websocket listens on N+k, the control channel on N+n and venue k's REST side on N+n+1+k
(ephemeral ports without --port). "private_ws" is the venue's private (account) stream over the
same books as the REST side, on an ephemeral port (null with --no-rest).

The venues' connection rules are on (``--conn-rules``: ``default`` = each venue's documented
idle cut-off, pings, lifetime...; ``short`` for tests; ``off``; or ``idle=3,okx.lifetime=10``).
``--tls DIR`` makes a test CA and certificate in DIR and serves ``wss://``; the control line
then carries ``"tls_ca"``: give that file to clients as ``SSL_CERT_FILE``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from hedgetui.commands.args import MAX_SPEED, MAX_TICK_HZ, finite_float

if TYPE_CHECKING:
    import asyncio

    from hedgetui.sim.replay import ReplayServer

ALL_VENUES = ("bitmex", "bybit", "binance", "deribit", "okx", "kraken")
LOOPBACK = ("127.0.0.1", "localhost", "::1")
MAX_SKEW_S = 86_400.0  # --clock-skew: a day either way


def _venue_list(text: str) -> tuple[str, ...]:
    names = [v.strip().lower() for v in text.split(",") if v.strip()]
    unknown = [v for v in names if v not in ALL_VENUES]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown venue {unknown[0]!r}; choose from {','.join(ALL_VENUES)}"
        )
    if not names:
        raise argparse.ArgumentTypeError("no venue given")
    return tuple(dict.fromkeys(names))


def _port(text: str) -> int:
    try:
        p = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= p <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 0..65535, got {p}")
    return p


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--venues",
        type=_venue_list,
        default=ALL_VENUES,
        help=f"comma-separated venues to serve (default: {','.join(ALL_VENUES)})",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--scenario", default="crash", help="named scenario (default: crash)")
    source.add_argument(
        "--path", metavar="FILE", help="CSV scenario: time,mark,index,funding_rate[,coin]"
    )
    source.add_argument(
        "--replay",
        metavar="FILE",
        help="play a recording (hedgetui record) back through each venue's protocol, at "
        "--speed; no REST side",
    )
    parser.add_argument(
        "--speed", type=finite_float(0, MAX_SPEED), default=1.0, help="scenario seconds per second"
    )
    parser.add_argument("--host", default="127.0.0.1", help="listen address (default loopback)")
    parser.add_argument(
        "--port",
        type=_port,
        default=0,
        help="first port: venue k listens on PORT+k, control on PORT+len(venues) (0 = any)",
    )
    parser.add_argument(
        "--tick-hz",
        type=finite_float(0, MAX_TICK_HZ),
        default=None,
        help="frames per second per channel (default: per venue, like the real one)",
    )
    parser.add_argument(
        "--no-rest", action="store_true", help="serve only the websockets (no REST order API)"
    )
    parser.add_argument(
        "--conn-rules",
        default="default",
        metavar="SPEC",
        help="the venues' connection rules: default (documented values), short (seconds, for "
        "tests), off, or [venue.]RULE=SECONDS|off items (idle, ping, pong, lifetime, heartbeat, "
        "notice; compression=on|off), comma-separated",
    )
    parser.add_argument(
        "--tls",
        metavar="DIR",
        default=None,
        help="serve wss:// with a test CA and certificate made in DIR (needs openssl); "
        "clients trust DIR/ca.pem through SSL_CERT_FILE",
    )
    parser.add_argument(
        "--clock-skew",
        type=finite_float(-MAX_SKEW_S, MAX_SKEW_S, lo_open=False),
        default=0.0,
        metavar="S",
        help="the REST side's clock runs S seconds ahead (negative: behind): its server time "
        "and signed-request windows (what hedgetui doctor's clock step checks)",
    )
    parser.add_argument(
        "--list-scenarios", action="store_true", help="print the named scenarios and exit"
    )


def run(args: argparse.Namespace) -> int:
    from hedgetui.sim import ScenarioError, get_scenario, load_csv_scenario, scenario_names

    if args.list_scenarios:
        for name in scenario_names():
            s = get_scenario(name)
            print(f"{name:15} {s.description}\n{'':15} source: {s.source}")
        return 0
    if args.replay is not None:
        from hedgetui import event_loop

        if args.tls is not None:
            sys.stderr.write("hedgetui sim: error: --replay serves ws:// only (no --tls)\n")
            return 2

        return event_loop.run(_serve_replay(args))
    try:
        scenario = load_csv_scenario(args.path) if args.path else get_scenario(args.scenario)
    except ScenarioError as e:
        sys.stderr.write(f"hedgetui sim: error: {e}\n")
        return 2
    from hedgetui.sim.conn_rules import RulesError, parse_rules_spec

    try:
        parse_rules_spec(args.conn_rules, args.venues)
    except RulesError as e:
        sys.stderr.write(f"hedgetui sim: error: {e}\n")
        return 2
    if args.port and args.port + 2 * len(args.venues) > 65535:
        sys.stderr.write(f"hedgetui sim: error: --port {args.port} leaves no room for all venues\n")
        return 2
    if args.host not in LOOPBACK:
        sys.stderr.write(
            f"hedgetui sim: warning: listening on {args.host}, not loopback: anyone who can "
            "reach this machine can connect and inject faults\n"
        )
    from hedgetui import event_loop

    return event_loop.run(_serve(args, scenario))


async def _serve(args: argparse.Namespace, scenario: Any) -> int:
    import asyncio
    import json
    import signal

    from hedgetui.sim import SimulatorError, start_simulator
    from hedgetui.sim.tls import TlsError, make_test_ca

    tls: Any = None
    ca_file: str | None = None
    if args.tls is not None and (problem := _folder_problem(args.tls)) is not None:
        sys.stderr.write(f"hedgetui sim: error: --tls: {args.tls}: {problem}\n")
        return 2
    try:
        if args.tls is not None:
            ca = make_test_ca(args.tls)
            tls, ca_file = ca.server_context(), str(ca.ca_file)
        sim = await start_simulator(
            venues=args.venues,
            scenario=scenario,
            speed=args.speed,
            host=args.host,
            port=args.port,
            tick_hz=args.tick_hz,
            conn_rules=args.conn_rules,
            tls=tls,
        )
    except (OSError, SimulatorError, TlsError) as e:
        sys.stderr.write(f"hedgetui sim: error: cannot start: {e}\n")
        return 1
    rest: Any = None
    if not args.no_rest:
        from hedgetui.clock import OffsetClock
        from hedgetui.sim.rest.attach import attach_rest_servers

        rest_port = args.port + len(sim.venues) + 1 if args.port else 0
        try:
            skewed = OffsetClock(args.clock_skew) if args.clock_skew else None
            rest = await attach_rest_servers(sim, host=args.host, port=rest_port, clock=skewed)
            rest.accounts.fund()  # like a testnet account: a bot can open positions
        except OSError as e:
            await sim.close()
            sys.stderr.write(f"hedgetui sim: error: cannot start the REST side: {e}\n")
            return 1
    private: Any = None
    if rest is not None:
        from hedgetui.sim.private import attach_private_servers

        try:
            private = await attach_private_servers(
                rest, host=args.host, conn_rules=sim.rules, tls=sim.tls
            )
        except OSError as e:
            await rest.close()
            await sim.close()
            sys.stderr.write(f"hedgetui sim: error: cannot start the private streams: {e}\n")
            return 1
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        for venue in sim.venues:
            private_ws = private.url(venue) if venue in _servers(private) else None
            _print_venue(
                venue, sim.ws_url(venue), sim.rest_url(venue), sim.symbols(venue), private_ws
            )
        print(json.dumps({"control": sim.control_url} | ({"tls_ca": ca_file} if ca_file else {})))
        sys.stdout.flush()
        sys.stderr.write(
            f"hedgetui sim: scenario {scenario.name!r} at speed {args.speed:g}; "
            "type 'help' for fault commands, Ctrl-C to stop\n"
        )
        console = asyncio.create_task(_console(sim, stop))
        await stop.wait()
        console.cancel()
    finally:
        if private is not None:
            await private.close()
        if rest is not None:
            await rest.close()
        await sim.close()
    return 0


async def _serve_replay(args: argparse.Namespace) -> int:
    """``--replay FILE``: one JSON line per venue as for a scenario (no REST, no private
    stream), a ``{"replay": ...}`` line, then ``{"replay_ended": ...}`` once played; serves
    (silent) until Ctrl-C / SIGTERM."""
    import asyncio
    from pathlib import Path

    from hedgetui.alerts.headless import stop_on_signals
    from hedgetui.history.recording import RecordingError
    from hedgetui.sim.replay import ReplayServer

    def warn(line: str) -> None:
        sys.stderr.write(f"hedgetui sim: {line}\n")

    try:
        server = ReplayServer(
            Path(args.replay), speed=args.speed, host=args.host, port=args.port, warn=warn
        )
        await server.start()
    except RecordingError as e:
        sys.stderr.write(f"hedgetui sim: error: --replay: {e}\n")
        return 2
    except OSError as e:
        sys.stderr.write(f"hedgetui sim: error: cannot start: {e}\n")
        return 1
    stop = asyncio.Event()
    try:
        with stop_on_signals(stop):
            await _play_replay(args, server, stop)
    finally:
        await server.close()
    return 0


async def _play_replay(args: argparse.Namespace, server: ReplayServer, stop: asyncio.Event) -> None:
    import asyncio
    import json

    for venue in server.venues:
        _print_venue(venue, server.ws_url(venue), None, server.symbols(venue), None)
    header = server.header
    print(json.dumps({"replay": str(args.replay), "start_ms": header.start_ms}))
    sys.stdout.flush()
    sys.stderr.write(
        f"hedgetui sim: replaying {args.replay} at speed {args.speed:g} once a client "
        "connects; Ctrl-C to stop\n"
    )
    player = asyncio.create_task(server.play())
    ended = asyncio.create_task(server.ended.wait())
    halt = asyncio.create_task(stop.wait())
    await asyncio.wait({ended, halt}, return_when=asyncio.FIRST_COMPLETED)
    if server.ended.is_set() and not stop.is_set():
        print(json.dumps({"replay_ended": True, "frames_sent": server.frames_sent}))
        sys.stdout.flush()
        sys.stderr.write("hedgetui sim: REPLAY ended; serving silently until Ctrl-C\n")
        await stop.wait()
    for task in (player, ended, halt):
        task.cancel()
    await asyncio.gather(player, ended, halt, return_exceptions=True)


def _print_venue(
    venue: str, ws: str, rest: str | None, symbols: Sequence[str], private_ws: str | None
) -> None:
    """The JSON line that tells a client where ``venue`` is served."""
    import json

    line = {
        "venue": venue,
        "ws": ws,
        "rest": rest,
        "symbols": list(symbols),
        "private_ws": private_ws,
    }
    print(json.dumps(line))


def _servers(private: Any) -> dict[str, Any]:
    return private.servers if private is not None else {}


async def _console(sim: Any, stop: Any) -> None:
    """Read fault commands from stdin; replies go to stderr (stdout stays machine-readable)."""
    import asyncio
    import contextlib
    import json
    import os

    from hedgetui.sim.console import HELP, CommandError, parse_command

    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    try:
        fd = sys.stdin.fileno()
        if not _streams(fd):
            return  # a regular file, /dev/null: no console (uvloop would abort on them)
        was_blocking = os.get_blocking(fd)
        transport, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader), sys.stdin
        )
    except (ValueError, OSError, AttributeError):
        return  # stdin is closed or absent: no console, keep serving
    try:
        while True:
            raw = await reader.readline()
            if not raw:
                return  # EOF: keep serving without a console
            try:
                cmd = parse_command(raw.decode(errors="replace"))
            except CommandError as e:
                sys.stderr.write(f"error: {e}\n")
                continue
            if cmd.action == "help":
                sys.stderr.write(HELP + "\n")
            elif cmd.action == "status":
                sys.stderr.write(json.dumps(sim.status(), indent=2) + "\n")
            elif cmd.action == "quit":
                stop.set()
                return
            elif cmd.action == "fault":
                try:
                    await sim.fault(cmd.venue or "all", cmd.kind, **cmd.params)
                except ValueError as e:
                    sys.stderr.write(f"error: {e}\n")
                else:
                    shown = " ".join(f"{k}={v}" for k, v in cmd.params.items())
                    sys.stderr.write(f"ok: {cmd.kind} {cmd.venue} {shown}".rstrip() + "\n")
    finally:
        transport.close()
        with contextlib.suppress(OSError):
            os.set_blocking(fd, was_blocking)


def _streams(fd: int) -> bool:
    """True when ``fd`` is something a console can wait on: a pipe, a socket or a terminal.

    Anything else (a regular file, ``/dev/null``) is refused before the event loop sees it:
    asyncio's own loop refuses a file, but uvloop aborts the whole process on either.
    """
    import os
    import stat

    mode = os.fstat(fd).st_mode
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or os.isatty(fd)


def _folder_problem(folder: str) -> str | None:
    """Why ``folder`` cannot be made or used as a folder (``--tls DIR``), else None."""
    from pathlib import Path

    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        return "is a file, not a directory"
    except OSError as exc:
        return str(exc.strerror or exc).lower()
    return None
