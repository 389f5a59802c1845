"""`hedgetui decode --venue NAME [FILE]`: raw websocket frames (one per line) -> JSON events.

Prints one JSON object per market event, in order (a ``Ticker`` as the mark, index and funding
lines it stands for). Acks and pongs print nothing. A bad line gets
one message on stderr naming its line number; decoding goes on and the exit code is 1 at the end.
Exit 2: unknown venue or unreadable file.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator
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


class FrameDecoder:
    """The decode loop: frames (one per line) in, classic market events out, in order.

    A line whose frame the adapter refuses (``FeedParseError``, the one error it may raise) gets
    one message on ``err`` naming its line number and is counted in ``bad``; decoding goes on.
    When the FIRST frame is not text (not UTF-8, or a NUL byte), the input is a binary file given
    by mistake: ``InputError`` stops the decode with one line. A later line that is not text is
    a damaged frame of a recording that began as one, refused like any other bad frame.
    Line numbers continue across calls of :meth:`events`, as does the adapter's merge state.
    """

    def __init__(self, venue: str, err: IO[str]) -> None:
        from hedgetui.feeds import get_adapter

        self.adapter = get_adapter(venue)
        self.err = err
        self.bad = 0
        self.lines = 0
        self._text_seen = False  # the first frame was text: the input is not a binary file

    def events(self, lines: Iterable[bytes]) -> Iterator[MarkPrice | IndexPrice | Funding]:
        from hedgetui.domain import split_market_events
        from hedgetui.feeds import FeedParseError

        parse = self.adapter.parse
        for raw in lines:
            self.lines += 1
            frame = raw.strip()
            if not frame:
                continue
            if not self._text_seen:
                if b"\0" in frame or not frame.isascii():
                    _check_text(frame, self.lines)
                self._text_seen = True
            try:
                events = parse(frame)
            except FeedParseError as exc:
                self.bad += 1
                self.err.write(f"hedgetui decode: line {self.lines}: {exc}\n")
                continue
            yield from split_market_events(events)


def _check_text(frame: bytes, line: int) -> None:
    from hedgetui.files import FileReadError, InputError, decode_text

    try:
        decode_text(frame)
    except FileReadError as exc:
        raise InputError(f"line {line}: {exc.reason}") from None


def event_line(event: MarkPrice | IndexPrice | Funding) -> bytes:
    """One event as decode prints it: its JSON object and a newline.

    Raises ``TypeError`` for a value JSON cannot carry exactly (an integer beyond 64 bits).
    """
    import orjson

    return orjson.dumps(event_to_dict(event)) + b"\n"


def decode_stream(venue: str, lines: Iterable[bytes], out: IO[bytes], err: IO[str]) -> int:
    """Decode every line, one JSON object per event on ``out``; returns the number of bad lines.

    An event that cannot be written (a value beyond what JSON carries) is reported like a bad
    line, never a traceback.
    """
    decoder = FrameDecoder(venue, err)
    unwritable = 0  # the last line reported for it (once per line)
    for event in decoder.events(lines):
        try:
            line = event_line(event)
        except TypeError as exc:
            if unwritable != decoder.lines:
                unwritable = decoder.lines
                decoder.bad += 1
                err.write(f"hedgetui decode: line {unwritable}: cannot write its event: {exc}\n")
            continue
        out.write(line)
    return decoder.bad


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
    from hedgetui.files import InputError

    try:
        bad = decode_stream(venue, source, sys.stdout.buffer, sys.stderr)
        sys.stdout.flush()
    except InputError as exc:  # a binary file given by mistake
        sys.stdout.flush()
        print(f"hedgetui decode: {args.file or 'standard input'}: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"hedgetui decode: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    finally:
        if args.file:
            source.close()
    return 1 if bad else 0
