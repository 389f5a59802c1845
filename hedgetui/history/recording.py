"""Recordings of the venues' public feeds: the file format, its writer and its reader.

A recording is a set of gzip files of JSON lines (one object a line, orjson). Every line has
``"k"`` (its kind), and every line but the header ``"venue"``, ``"conn"`` (the venue's
connection number, from 1), ``"wall_ms"`` (receive time, epoch milliseconds) and ``"mono"``
(seconds since the recording started, on the monotonic clock: what pacing a replay follows):

* ``{"k": "header", "version": 1, "hedgetui": "0.1.0", "venues": [...], "symbols": {venue:
  [...]}, "start_ms": ..., "part": 0}`` — the first line of every file of the set;
* ``{"k": "open", ..., "url": "wss://host/path"}`` — a connection opened (scheme, host, port
  and path only: never a query, a user name or a key);
* ``{"k": "sent", ..., "data": "..."}`` — a subscription the client sent;
* ``{"k": "frame", ..., "data": "..."}`` — one raw frame as received (a binary frame that is
  not UTF-8 is ``"b64"`` instead of ``"data"``);
* ``{"k": "close", ..., "code": 1006, "reason": "..."}`` — the connection ended; with
  ``"stop": true`` when it was the recorder that stopped (a replay does not close for it).

A stall is the gap between two frames; a drop is a ``close`` and a later ``open``.

Rotation: once a file holds :data:`ROTATE_BYTES` of compressed data, the writer goes on in the
next part: ``night.jsonl.gz``, ``night.1.jsonl.gz``, ``night.2.jsonl.gz``... The reader is
given the first file and follows the set. A last line cut short (the process was killed, the
gzip stream has no end) is skipped with one warning; so is any line that is not a recording
line (each with its file and line number).

A recording read as a price path (first marks, minute bars) is `hedgetui.history.recording_prices`.
"""

from __future__ import annotations

import base64
import gzip
import logging
import math
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import orjson

from hedgetui import __version__
from hedgetui.clock import SYSTEM_CLOCK, Clock

VERSION = 1
ROTATE_BYTES = 64 * 1024 * 1024  # compressed bytes per file of the set
SUFFIX = ".jsonl.gz"
_MAX_WARNINGS = 20  # bad lines named one by one, then only counted
_SIZE_EVERY = 64  # lines between two looks at the file's size (a rotation may overshoot a little)

log = logging.getLogger("hedgetui.history.recording")

Warn = Callable[[str], None]


class RecordingError(Exception):
    """The file is not a recording this version can read; ``str(e)`` is one line naming it."""


# ---------------------------------------------------------------------------- entries


@dataclass(frozen=True, slots=True)
class Header:
    version: int
    hedgetui: str
    venues: tuple[str, ...]
    symbols: Mapping[str, tuple[str, ...]]
    start_ms: int


@dataclass(frozen=True, slots=True)
class Opened:
    venue: str
    conn: int
    wall_ms: int
    mono: float
    url: str


@dataclass(frozen=True, slots=True)
class Sent:
    venue: str
    conn: int
    wall_ms: int
    mono: float
    data: str


@dataclass(frozen=True, slots=True)
class Frame:
    venue: str
    conn: int
    wall_ms: int
    mono: float
    data: str | bytes


@dataclass(frozen=True, slots=True)
class Closed:
    venue: str
    conn: int
    wall_ms: int
    mono: float
    code: int | None
    reason: str
    stop: bool = False


Entry = Opened | Sent | Frame | Closed


def part_path(first: Path, n: int) -> Path:
    """The file of part ``n`` of the set that starts with ``first`` (part 0 is ``first``)."""
    if n == 0:
        return first
    name = first.name
    for suffix in (SUFFIX, ".gz"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return first.with_name(f"{name[: -len(suffix)]}.{n}{suffix}")
    return first.with_name(f"{name}.{n}")


def safe_url(url: str) -> str:
    """``scheme://host[:port]/path`` of ``url``: no query, no user name or password."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port is not None else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


# ---------------------------------------------------------------------------- writer


class RecordingWriter:
    """Writes one recording set. Not thread-safe; call from the event loop that receives."""

    def __init__(
        self,
        path: Path,
        venues: Sequence[str],
        symbols: Mapping[str, Sequence[str]],
        *,
        clock: Clock | None = None,
        rotate_bytes: int = ROTATE_BYTES,
        compresslevel: int = 6,
    ) -> None:
        self.first = Path(path)
        self._clock = clock or SYSTEM_CLOCK
        self._mono0 = self._clock.monotonic()
        self._start_ms = round(self._clock.time() * 1000)
        self._venues = list(venues)
        self._symbols = {v: list(s) for v, s in symbols.items()}
        self._rotate_bytes = rotate_bytes
        self._level = compresslevel
        self._part = -1
        self._raw: IO[bytes] | None = None
        self._gz: gzip.GzipFile | None = None
        self.paths: list[Path] = []
        self.lines = 0
        self.frames = 0
        self._conns: dict[str, int] = {}
        self._open_part()

    def _open_part(self) -> None:
        self._close_part()
        self._part += 1
        path = part_path(self.first, self._part)
        raw = path.open("wb")
        self._raw = raw
        self._gz = gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=self._level)
        self.paths.append(path)
        header = {
            "k": "header",
            "version": VERSION,
            "hedgetui": __version__,
            "venues": self._venues,
            "symbols": self._symbols,
            "start_ms": self._start_ms,
            "part": self._part,
        }
        self._gz.write(orjson.dumps(header) + b"\n")

    def _close_part(self) -> None:
        if self._gz is not None:
            self._gz.close()
            self._gz = None
        if self._raw is not None:
            self._raw.close()
            self._raw = None

    def _write(self, obj: dict[str, Any]) -> None:
        gz, raw = self._gz, self._raw
        if gz is None or raw is None:
            raise ValueError("the recording is closed")
        gz.write(orjson.dumps(obj) + b"\n")
        self.lines += 1
        if not self.lines % _SIZE_EVERY and raw.tell() >= self._rotate_bytes:
            self._open_part()

    def _stamp(self, kind: str, venue: str, conn: int) -> dict[str, Any]:
        clock = self._clock
        return {
            "k": kind,
            "venue": venue,
            "conn": conn,
            "wall_ms": round(clock.time() * 1000),
            "mono": round(clock.monotonic() - self._mono0, 6),
        }

    def opened(self, venue: str, url: str) -> int:
        """A connection of ``venue`` opened; returns its number (for the lines that follow)."""
        conn = self._conns.get(venue, 0) + 1
        self._conns[venue] = conn
        self._write(self._stamp("open", venue, conn) | {"url": safe_url(url)})
        return conn

    def sent(self, venue: str, conn: int, data: str | bytes) -> None:
        text = data if isinstance(data, str) else data.decode("utf-8", "replace")
        self._write(self._stamp("sent", venue, conn) | {"data": text})

    def frame(self, venue: str, conn: int, data: str | bytes) -> None:
        line = self._stamp("frame", venue, conn)
        if isinstance(data, str):
            line["data"] = data
        else:
            try:
                line["data"] = data.decode("utf-8")
            except UnicodeDecodeError:
                line["b64"] = base64.b64encode(data).decode("ascii")
        self.frames += 1
        self._write(line)

    def closed(
        self, venue: str, conn: int, code: int | None, reason: str, *, stop: bool = False
    ) -> None:
        """A connection ended; ``stop``: because the recorder stopped (not the venue)."""
        line = self._stamp("close", venue, conn) | {"code": code, "reason": reason}
        if stop:
            line["stop"] = True
        self._write(line)

    def flush(self) -> None:
        if self._gz is not None:
            self._gz.flush()

    def close(self) -> None:
        self._close_part()

    def __enter__(self) -> RecordingWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ---------------------------------------------------------------------------- reader


def _warn_default(text: str) -> None:
    log.warning("%s", text)


def read_header(path: Path) -> Header:
    """The header of the recording whose first file is ``path`` (RecordingError if none)."""
    path = Path(path)
    try:
        with gzip.open(path, "rb") as f:
            first = f.readline()
    except FileNotFoundError:
        raise RecordingError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise RecordingError(f"{path}: is a directory, not a recording") from None
    except (gzip.BadGzipFile, EOFError, zlib.error):
        raise RecordingError(f"{path}: not a recording (not gzip-compressed)") from None
    except OSError as exc:
        raise RecordingError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return _header(path, first)


def _header(path: Path, line: bytes) -> Header:
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError:
        obj = None
    if not isinstance(obj, dict) or obj.get("k") != "header":
        raise RecordingError(f"{path}: not a hedgetui recording (no header line)")
    version = obj.get("version")
    if version != VERSION:
        raise RecordingError(
            f"{path}: recording format version {version!r}; this hedgetui reads {VERSION}"
        )
    try:
        venues = tuple(str(v) for v in obj["venues"])
        symbols = {str(v): tuple(str(s) for s in ss) for v, ss in obj["symbols"].items()}
        return Header(VERSION, str(obj.get("hedgetui", "?")), venues, symbols, int(obj["start_ms"]))
    except (KeyError, TypeError, ValueError, AttributeError):
        raise RecordingError(f"{path}: the header line is malformed") from None


def _entry(obj: Any) -> Entry | None:
    """The entry of one decoded line, or None when it is not one."""
    if not isinstance(obj, dict):
        return None
    try:
        kind = obj["k"]
        venue = obj["venue"]
        conn = obj["conn"]
        wall_ms = obj["wall_ms"]
        mono = float(obj["mono"])
        if not (
            isinstance(venue, str)
            and isinstance(conn, int)
            and isinstance(wall_ms, int)
            and math.isfinite(mono)
        ):
            return None
        if kind == "frame":
            data = obj.get("data")
            if isinstance(data, str):
                return Frame(venue, conn, wall_ms, mono, data)
            return Frame(venue, conn, wall_ms, mono, base64.b64decode(obj["b64"], validate=True))
        if kind == "open":
            return Opened(venue, conn, wall_ms, mono, str(obj["url"]))
        if kind == "sent":
            return Sent(venue, conn, wall_ms, mono, str(obj["data"]))
        if kind == "close":
            code = obj.get("code")
            return Closed(
                venue,
                conn,
                wall_ms,
                mono,
                code if isinstance(code, int) else None,
                str(obj.get("reason", "")),
                obj.get("stop") is True,
            )
    except (KeyError, TypeError, ValueError):
        return None
    return None


def read_entries(path: Path, warn: Warn | None = None) -> Iterator[Entry]:
    """Every entry of the recording set whose first file is ``path``, in order.

    Raises :class:`RecordingError` when the first file is not a recording; a bad line, a later
    part that is not one or a cut-off end is reported through ``warn`` (default: the logger
    ``hedgetui.history.recording``) and skipped.
    """
    warn = warn or _warn_default
    first = Path(path)
    read_header(first)
    bad = 0
    n = 0
    while True:
        part = part_path(first, n)
        if n > 0 and not part.exists():
            break
        lineno = 0
        try:
            with gzip.open(part, "rb") as f:
                try:
                    for line in f:
                        lineno += 1
                        if lineno == 1:
                            if n > 0:
                                _header(part, line)  # a part of another recording: stop
                            continue
                        entry = _entry(_loads(line))
                        if entry is None:
                            if not line.endswith(b"\n"):
                                warn(f"{part}: line {lineno} is cut short; skipped")
                                break
                            bad += 1
                            if bad <= _MAX_WARNINGS:
                                warn(f"{part}: line {lineno} is not a recording line; skipped")
                            continue
                        yield entry
                except (EOFError, zlib.error, gzip.BadGzipFile):
                    warn(
                        f"{part}: the file ends early (recording interrupted) after line "
                        f"{lineno}; the rest is skipped"
                    )
        except RecordingError as exc:
            warn(f"{exc}; stopping there")
            break
        except OSError as exc:
            warn(f"{part}: cannot read ({exc}); stopping there")
            break
        n += 1
    if bad > _MAX_WARNINGS:
        warn(f"{first}: {bad} bad lines skipped in all")


def _loads(line: bytes) -> Any:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
