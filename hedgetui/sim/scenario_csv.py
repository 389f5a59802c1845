"""A scenario of the user's own: a price / funding path loaded from a CSV file.

`load_csv_scenario` reads columns time, mark, index, funding_rate[, coin] (time as seconds
from the start, epoch milliseconds or ISO-8601 with a zone; one kind a file) into a
`hedgetui.sim.scenarios.Scenario`, naming the file and line of anything it cannot use
(`ScenarioError`). `hedgetui sim --path` and `hedgetui stress --path` load their files here.
"""

from __future__ import annotations

import csv
import math
from datetime import datetime
from pathlib import Path

from hedgetui.files import MIB, FileReadError, read_text_file
from hedgetui.sim.scenarios import ETH_START, Scenario, ScenarioError, ScenarioPoint, scaled

CSV_COLUMNS = ("time", "mark", "index", "funding_rate")
MAX_CSV_BYTES = 64 * MIB  # a million rows with room to spare
_EPOCH_MS_THRESHOLD = 1e11  # a bare number above this is epoch milliseconds (after 1973)


def _parse_time(text: str, where: str) -> tuple[float, str]:
    """Seconds (absolute or relative) and the kind: 'seconds', 'epoch-ms' or 'iso'."""
    try:
        value = float(text)
    except ValueError:
        pass
    else:
        if not math.isfinite(value):
            raise ScenarioError(f"{where}: time {text!r} is not a finite number")
        if value >= _EPOCH_MS_THRESHOLD:
            return value / 1000.0, "epoch-ms"
        return value, "seconds"
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ScenarioError(
            f"{where}: time {text!r} is neither seconds from start, epoch milliseconds "
            "nor an ISO-8601 timestamp"
        ) from None
    if dt.tzinfo is None:
        raise ScenarioError(f"{where}: ISO time {text!r} has no time zone (add Z or +00:00)")
    return dt.timestamp(), "iso"


def _parse_number(text: str, column: str, where: str, *, positive: bool) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ScenarioError(f"{where}: {column} {text!r} is not a number") from None
    if not math.isfinite(value):
        raise ScenarioError(f"{where}: {column} {text!r} is not a finite number")
    if positive and value <= 0:
        raise ScenarioError(f"{where}: {column} must be > 0, got {text!r}")
    return value


def load_csv_scenario(path: str | Path, *, loop: bool = True) -> Scenario:
    """Load a scenario from CSV with columns time, mark, index, funding_rate[, coin].

    ``time`` is seconds from the start (e.g. ``0``, ``1.5``), epoch milliseconds (a number
    >= 1e11) or ISO-8601 with a zone (``2020-03-12T09:00:00Z``); one file uses one kind.
    Times are made relative to the first row of each coin. ``coin`` defaults to BTC; a
    file without ETH rows gets an ETH path derived by scaling BTC to start at 3,000.
    """
    p = Path(path)
    try:
        text = read_text_file(p, what="scenario CSV file", max_bytes=MAX_CSV_BYTES)
    except FileReadError as e:
        line = f":{e.line}" if e.line is not None else ""
        raise ScenarioError(f"{p}{line}: cannot read scenario file: {e.reason}") from None
    reader = csv.DictReader(text.splitlines())
    try:
        return _scenario_from_rows(p, reader, loop)
    except csv.Error as e:  # e.g. a field beyond the csv module's size limit
        raise ScenarioError(f"{p}: not a readable CSV file ({e})") from None


def _scenario_from_rows(p: Path, reader: csv.DictReader[str], loop: bool) -> Scenario:
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise ScenarioError(
            f"{p}:1: missing column(s) {', '.join(missing)}; "
            f"expected header: {','.join(CSV_COLUMNS)}[,coin]"
        )
    raw: dict[str, list[tuple[float, float, float, float, int]]] = {}
    kind_seen: str | None = None
    for lineno, row in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        if not any(row.values()):
            continue
        where = f"{p}:{lineno}"
        for col in CSV_COLUMNS:
            if not row.get(col):
                raise ScenarioError(f"{where}: empty {col}")
        t, kind = _parse_time(row["time"], where)
        if kind_seen is None:
            kind_seen = kind
        elif kind != kind_seen:
            raise ScenarioError(f"{where}: time is {kind} but earlier rows use {kind_seen}")
        mark = _parse_number(row["mark"], "mark", where, positive=True)
        index = _parse_number(row["index"], "index", where, positive=True)
        rate = _parse_number(row["funding_rate"], "funding_rate", where, positive=False)
        coin = (row.get("coin") or "BTC").upper()
        if coin == "XBT":
            coin = "BTC"
        rows = raw.setdefault(coin, [])
        if rows and t <= rows[-1][0]:
            raise ScenarioError(
                f"{where}: time {row['time']!r} is not after the previous {coin} row "
                f"(line {rows[-1][4]})"
            )
        rows.append((t, mark, index, rate, lineno))
    if not raw:
        raise ScenarioError(f"{p}: no data rows")
    paths: dict[str, tuple[ScenarioPoint, ...]] = {}
    for coin, rows in raw.items():
        t0 = rows[0][0]
        paths[coin] = tuple(ScenarioPoint(t - t0, m, i, r) for t, m, i, r, _ in rows)
    if "BTC" in paths and "ETH" not in paths:
        paths["ETH"] = scaled(paths["BTC"], ETH_START)
    return Scenario(
        name=p.stem,
        description=f"loaded from {p.name} (time column: {kind_seen})",
        source=str(p),
        paths=paths,
        loop=loop,
    )
