"""The funding-history cache on disk: one JSON file per (venue, symbol) of funding records and
per (account, symbol) of realised payments, under ``<user cache dir>/hedgetui/funding/``.

Each file names its format, version, kind and owner; it is written atomically
(:func:`hedgetui.files.write_atomic`). A file that cannot be read, is corrupt, is of another
version or belongs to another series is one warning and ``None`` (the caller refetches), never
a crash.
"""

from __future__ import annotations

import logging
import math
import re
from pathlib import Path
from typing import Any

import orjson

from hedgetui.files import MIB, FileReadError, read_bytes_file, write_atomic
from hedgetui.history.model import FundingPayment, FundingRecord, plausible_record

log = logging.getLogger(__name__)

FORMAT = "hedgetui-funding-cache"
VERSION = 1
MAX_BYTES = 64 * MIB
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def default_cache_dir() -> Path:
    """``funding/`` in the platform's user cache dir (``~/.cache/hedgetui/funding`` on Linux,
    ``$XDG_CACHE_HOME/hedgetui/funding`` when that is set)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("hedgetui")) / "funding"


def _part(name: str) -> str:
    """A venue, account or symbol as a safe file-name part (``BTC/USD`` -> ``BTC_USD``)."""
    return _UNSAFE.sub("_", name) or "_"


class FundingCache:
    """Load and store funding series and payment lists; ``root`` defaults to the user cache."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root if root is not None else default_cache_dir()
        self.warnings: list[str] = []  # one line per file that was ignored

    def rates_path(self, venue: str, symbol: str) -> Path:
        return self.root / f"rates-{_part(venue)}-{_part(symbol)}.json"

    def payments_path(self, account: str, symbol: str) -> Path:
        return self.root / f"payments-{_part(account)}-{_part(symbol)}.json"

    # ------------------------------------------------------------------ rates

    def load_rates(self, venue: str, symbol: str) -> list[FundingRecord] | None:
        """The cached records (None: no usable file; a bad one was warned about)."""
        path = self.rates_path(venue, symbol)
        rows = self._load(path, "rates", {"venue": venue, "symbol": symbol})
        if rows is None:
            return None
        try:
            records = [FundingRecord(int(t), float(r), float(h)) for t, r, h in rows]
        except (TypeError, ValueError):
            self._warn(path, "a record is not [time_ms, rate, interval_hours]")
            return None
        return [r for r in records if plausible_record(r)]

    def store_rates(self, venue: str, symbol: str, records: list[FundingRecord]) -> None:
        rows = [[r.time_ms, r.rate, r.interval_hours] for r in records]
        self._store(
            self.rates_path(venue, symbol), "rates", {"venue": venue, "symbol": symbol}, rows
        )

    # ------------------------------------------------------------------ payments

    def load_payments(self, account: str, symbol: str) -> list[FundingPayment] | None:
        path = self.payments_path(account, symbol)
        rows = self._load(path, "payments", {"account": account, "symbol": symbol})
        if rows is None:
            return None
        try:
            payments = [FundingPayment(int(t), float(a), str(c), str(s)) for t, a, c, s in rows]
        except (TypeError, ValueError):
            self._warn(path, "a payment is not [time_ms, amount, coin, symbol]")
            return None
        return [p for p in payments if math.isfinite(p.amount)]

    def store_payments(self, account: str, symbol: str, payments: list[FundingPayment]) -> None:
        rows = [[p.time_ms, p.amount, p.coin, p.symbol] for p in payments]
        owner = {"account": account, "symbol": symbol}
        self._store(self.payments_path(account, symbol), "payments", owner, rows)

    # ------------------------------------------------------------------ files

    def _warn(self, path: Path, reason: str) -> None:
        line = f"funding cache {path}: {reason}; ignoring it and fetching again"
        self.warnings.append(line)
        log.warning("%s", line)

    def _load(self, path: Path, kind: str, owner: dict[str, str]) -> list[Any] | None:
        try:
            data = read_bytes_file(path, what="funding cache file", max_bytes=MAX_BYTES)
        except FileReadError as exc:
            if exc.reason != "no such file":
                self._warn(path, exc.reason)
            return None
        try:
            doc = orjson.loads(data)
        except orjson.JSONDecodeError:
            self._warn(path, "not JSON (corrupt)")
            return None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            self._warn(path, "not a hedgetui funding cache file")
            return None
        if doc.get("version") != VERSION:
            self._warn(path, f"cache version {doc.get('version')!r}, this build reads {VERSION}")
            return None
        if doc.get("kind") != kind or any(doc.get(k) != v for k, v in owner.items()):
            self._warn(path, "holds another series")
            return None
        rows = doc.get("rows")
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            self._warn(path, "'rows' is not a list of rows")
            return None
        return rows

    def _store(self, path: Path, kind: str, owner: dict[str, str], rows: list[Any]) -> None:
        doc = {"format": FORMAT, "version": VERSION, "kind": kind, **owner, "rows": rows}
        try:
            write_atomic(path, orjson.dumps(doc))
        except OSError as exc:
            log.warning("funding cache %s: cannot write: %s", path, exc.strerror or exc)
