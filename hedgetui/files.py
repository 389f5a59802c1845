"""The user's files, read and written safely: small regular text files in, private logs out.

Every file a user names (the config, a credentials file, a scenario CSV) is read through
:func:`read_text_file`: the file must be a regular file (checked on the open descriptor, and
opened without blocking, so a FIFO or ``/dev/zero`` is refused instead of hanging or eating
memory), no larger than the reader's cap, and UTF-8 text without NUL bytes. Every problem is
one :class:`FileReadError` whose text completes "<path>: ...". Logs that may hold trading or
alert history are opened by :func:`open_private_append`: created 0600, and tightened to 0600
when an existing file is readable by group or others.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path
from typing import IO, Any

KIB = 1024
MIB = 1024 * KIB
PRIVATE_MODE = 0o600


class InputError(Exception):
    """Something the user gave (a file, a path, a value) cannot be used. ``str(e)`` is one
    line for them, naming it; the command runner prints it and exits 2."""


class FileReadError(Exception):
    """Why a file cannot be used, as the words after ``"<path>: "`` (never its contents)."""

    def __init__(self, reason: str, *, line: int | None = None) -> None:
        self.reason = reason
        self.line = line
        super().__init__(reason)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _size(n: int) -> str:
    return f"{n / MIB:.1f} MiB" if n >= MIB else f"{n / KIB:.0f} KiB" if n >= KIB else f"{n} B"


def read_bytes_file(path: Path, *, what: str, max_bytes: int) -> bytes:
    """The bytes of the regular file ``path`` (at most ``max_bytes``), or a ``FileReadError``."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise FileReadError("no such file") from None
    except OSError as exc:
        raise FileReadError(f"cannot read: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FileReadError(f"is {_kind(info.st_mode)}, not a {what}")
        if info.st_size > max_bytes:
            raise FileReadError(
                f"is {_size(info.st_size)}, more than the {_size(max_bytes)} a {what} may be"
            )
        chunks: list[bytes] = []
        total = 0
        while total <= max_bytes:
            chunk = os.read(fd, min(MIB, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise FileReadError(f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if total > max_bytes:  # grew while being read
        raise FileReadError(f"is more than the {_size(max_bytes)} a {what} may be")
    return b"".join(chunks)


def decode_text(data: bytes) -> str:
    """UTF-8 text (a leading BOM dropped) without NUL bytes, or a ``FileReadError`` with a line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileReadError("not valid UTF-8 text (a binary file?)", line=line) from None
    nul = text.find("\0")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise FileReadError("contains a NUL byte: not a text file", line=line)
    return text


def read_text_file(path: Path, *, what: str, max_bytes: int) -> str:
    """:func:`read_bytes_file` then :func:`decode_text`."""
    return decode_text(read_bytes_file(path, what=what, max_bytes=max_bytes))


def loads_toml(text: str) -> dict[str, Any]:
    """``tomllib.loads``, with nesting too deep for the parser as a ``FileReadError``."""
    import tomllib

    try:
        return tomllib.loads(text)
    except RecursionError:
        raise FileReadError("TOML nested too deeply") from None


def open_private_append(path: Path, *, devices_ok: bool = False) -> int:
    """An append-only descriptor on the regular file ``path``: created 0600 (its directory
    too, if missing), an existing file readable by group or others tightened to 0600.
    Anything else (a directory, a FIFO, a device) is an ``OSError`` at once, never a wait;
    ``devices_ok`` lets a character device such as ``/dev/null`` through (no record kept)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # the parent is a file
        raise NotADirectoryError(errno.ENOTDIR, f"{path.parent} is not a directory") from None
    # O_NONBLOCK: a FIFO with no reader fails (ENXIO) instead of blocking; no effect on files
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOCTTY | os.O_NONBLOCK
    fd = os.open(path, flags, PRIVATE_MODE)
    try:
        mode = os.fstat(fd).st_mode
        if devices_ok and stat.S_ISCHR(mode):
            return fd
        if not stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, f"is {_kind(mode)}, not a regular file")
        if stat.S_IMODE(mode) & (stat.S_IRWXG | stat.S_IRWXO):
            os.fchmod(fd, PRIVATE_MODE)
    except BaseException:
        os.close(fd)
        raise
    return fd


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` all at once (a private temporary file in the same
    directory, flushed, then renamed over it): a reader sees the old file or the new one,
    never half of one. The directory is created if missing; errors are ``OSError``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOCTTY, PRIVATE_MODE)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


class RotatingLog:
    """A private append-only log of lines, bounded on disk: opened on the first write with
    :func:`open_private_append` (0600; ``/dev/null`` or another character device accepted,
    never rotated), flushed per line, and once the file reaches ``max_bytes`` renamed to
    ``<name>.1`` (replacing the previous one; the mode goes with it) and started anew, so it
    keeps at most about twice ``max_bytes``. Write errors are ``OSError``; the next write
    tries again."""

    def __init__(self, path: Path, max_bytes: int) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self._file: IO[bytes] | None = None
        self._rotates = False  # only a regular file is rotated (not /dev/null, not a tty)

    def write(self, line: bytes) -> None:
        """Append ``line`` (which ends with a newline) and flush it."""
        try:
            if self._file is None:
                self._file = os.fdopen(open_private_append(self.path, devices_ok=True), "ab")
                self._rotates = stat.S_ISREG(os.fstat(self._file.fileno()).st_mode)
            self._file.write(line)
            self._file.flush()
            if self._rotates and self._file.tell() >= self.max_bytes:
                self.close()
                self.path.replace(self.path.with_name(self.path.name + ".1"))
        except OSError:
            self.close()
            raise

    def close(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None
