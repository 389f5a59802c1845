"""`hedgetui decode --venue NAME [FILE]`: raw websocket frames (one per line) -> JSON events.

Prints one JSON object per market event, in order (a ``Ticker`` as the mark, index and funding
lines it stands for). Acks and pongs print nothing. A bad line gets
one message on stderr naming its line number; decoding goes on and the exit code is 1 at the end.
Exit 2: unknown venue or unreadable file.
"""

from __future__ import annotations

import argparse
import sys
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from hedgetui.domain import Funding, IndexPrice, MarkPrice

VENUE_NAMES = ("bitmex", "bybit", "binance", "deribit", "okx", "kraken")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--venue", required=True, metavar="NAME", help=f"one of: {', '.join(VENUE_NAMES)}"
    )
    parser.add_argument(
        "file", nargs="?", metavar="FILE", help="frames, one per line (default: standard input)"
    )


def event_to_dict(event: MarkPrice | IndexPrice | Funding) -> dict[str, object]:
    """The documented JSON shape of one classic market event (see ``split_market_events``)."""
    from hedgetui.domain import Funding, IndexPrice, MarkPrice

    if isinstance(event, MarkPrice | IndexPrice):
        kind = "mark" if isinstance(event, MarkPrice) else "index"
        return {
            "type": kind,
            "venue": event.venue,
            "symbol": event.symbol,
            "price": event.price,
            "ts": event.ts,
        }
    assert isinstance(event, Funding)
    return {
        "type": "funding",
        "venue": event.venue,
        "symbol": event.symbol,
        "rate": event.rate,
        "predicted_rate": event.predicted_rate,
        "next_funding_time": event.next_funding_time,
        "ts": event.ts,
        "interval_hours": event.interval_hours,
    }


def decode_stream(venue: str, lines: IO[bytes], out: IO[bytes], err: IO[str]) -> int:
    """Decode every line; returns the number of bad lines."""
    import orjson

    from hedgetui.domain import split_market_events
    from hedgetui.feeds import FeedParseError, get_adapter

    adapter = get_adapter(venue)
    bad = 0
    for number, raw in enumerate(lines, start=1):
        frame = raw.strip()
        if not frame:
            continue
        try:
            events = adapter.parse(frame)
        except FeedParseError as exc:
            bad += 1
            err.write(f"hedgetui decode: line {number}: {exc}\n")
            continue
        for event in split_market_events(events):
            out.write(orjson.dumps(event_to_dict(event)) + b"\n")
    return bad


def run(args: argparse.Namespace) -> int:
    venue = str(args.venue).lower()
    if venue not in VENUE_NAMES:
        print(
            f"hedgetui decode: unknown venue {args.venue!r} (known: {', '.join(VENUE_NAMES)})",
            file=sys.stderr,
        )
        return 2
    try:
        source: IO[bytes] = open(args.file, "rb") if args.file else sys.stdin.buffer  # noqa: SIM115
    except OSError as exc:
        print(f"hedgetui decode: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    try:
        bad = decode_stream(venue, source, sys.stdout.buffer, sys.stderr)
        sys.stdout.flush()
    except OSError as exc:
        print(f"hedgetui decode: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    finally:
        if args.file:
            source.close()
    return 1 if bad else 0
