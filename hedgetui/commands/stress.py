"""`hedgetui stress`: replay a real crash (or any price path) through the hedges as configured now.

Prints the article's comparison table for each hedge and the portfolio (hedged vs unhedged:
initial, worst, end, maximum drawdown; the closest approach to liquidation; funding). Exit
codes: 0 no hedge would have been liquidated, 1 some hedge would have been, 2 bad input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hedgetui.commands.args import EXIT_USAGE

if TYPE_CHECKING:
    from hedgetui.config import HedgeSettings
    from hedgetui.history.model import FundingRecord, PriceBar

DEFAULT_HISTORY = "black-thursday"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", metavar="PATH", default=argparse.SUPPRESS, help="config file (TOML)"
    )
    parser.add_argument(
        "--demo", action="store_true", help="the demo portfolio instead of the config's hedges"
    )
    parser.add_argument("--hedge", metavar="NAME", help="only this hedge (default: every hedge)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--history",
        metavar="NAME",
        help=f"a shipped crash: black-thursday, may19, celsius, ftx (default: {DEFAULT_HISTORY})",
    )
    source.add_argument(
        "--path",
        metavar="CSV",
        help="a price path in the simulator's CSV format (time,mark,index,funding_rate)",
    )
    source.add_argument("--recording", metavar="FILE", help="a recording made by `hedgetui record`")
    parser.add_argument("--json", action="store_true", help="print JSON")


def _fail(message: str) -> int:
    print(f"hedgetui stress: {message}", file=sys.stderr)
    return EXIT_USAGE


def run(args: argparse.Namespace) -> int:
    from hedgetui.alerts.headless import SetupError, json_line, load_base_settings
    from hedgetui.history.recording import RecordingError
    from hedgetui.history.stress_report import stress_record, stress_text
    from hedgetui.history.stress_run import run_stress, stress_hedges

    if args.demo and getattr(args, "config", None) is not None:
        return _fail("--demo and --config do not go together: pick one portfolio")
    if args.demo:
        hedges = _demo_hedges(1.0, "BTC")  # their venues and symbols; sized at the path's open
    else:
        try:
            hedges = load_base_settings(getattr(args, "config", None), demo=False).hedges
        except SetupError as exc:
            return _fail(str(exc))
    if args.hedge is not None:
        known = [h.name for h in hedges]
        hedges = tuple(h for h in hedges if h.name == args.hedge)
        if not hedges:
            return _fail(f"unknown hedge {args.hedge!r}; known: {', '.join(known) or 'none'}")
    warnings: list[str] = []
    try:
        path = _path(args, hedges, warnings.append)
    except (ValueError, RecordingError) as exc:
        return _fail(str(exc))
    if args.demo:
        names = {h.name for h in hedges}
        hedges = tuple(h for h in _demo_hedges(path.bars[0].open, path.coin) if h.name in names)
    chosen, notes = stress_hedges(hedges)
    if not chosen:
        return _fail("; ".join([*(n.removeprefix("note: ") for n in notes), "no hedge to test"]))
    run_ = run_stress(
        name=path.name,
        title=path.title,
        source=path.source,
        bars=path.bars,
        hedges=chosen,
        records=path.records,
        records_label=path.records_label,
        notes=[*(f"note: {w}" for w in warnings), *notes],
    )
    if args.json:
        sys.stdout.write(json_line(stress_record(run_)) + "\n")
    else:
        sys.stdout.write(stress_text(run_))
    sys.stdout.flush()
    return run_.exit_code


@dataclass(frozen=True, slots=True)
class _Path:
    """A path to replay: its bars and, for a shipped crash, the period's funding records."""

    name: str
    title: str
    source: str
    bars: Sequence[PriceBar]
    records: Sequence[FundingRecord] | None = None
    records_label: str = ""
    coin: str = "BTC"


def _path(
    args: argparse.Namespace, hedges: Sequence[HedgeSettings], warn: Callable[[str], None]
) -> _Path:
    """The path the flags name; ``ValueError``/``RecordingError`` with one line for anything
    unusable."""
    if args.path is not None:
        return _csv_path(args.path)
    if args.recording is not None:
        return _recording_path(args.recording, hedges, warn)
    from hedgetui.history.crashes import PRICE_SOURCE, crash, crash_bars, crash_funding

    c = crash(args.history or DEFAULT_HISTORY)
    return _Path(
        c.name,
        c.title,
        f"prices: {PRICE_SOURCE} ({c.price_file}); funding: {c.funding_file}",
        crash_bars(c.name),
        crash_funding(c.name),
        c.funding_label,
    )


def _csv_path(file: str) -> _Path:
    """A ``--path`` CSV through the simulator's own reader (its one-line errors); its BTC rows
    (the mark, with the per-8 h funding rate) as one-point bars."""
    from pathlib import Path

    from hedgetui.history.model import PriceBar
    from hedgetui.sim.scenario_csv import load_csv_scenario

    scenario = load_csv_scenario(file, loop=False)  # ScenarioError is a ValueError
    points = scenario.paths.get("BTC") or next(iter(scenario.paths.values()))
    bars = tuple(
        PriceBar(round(p.t * 1000), p.mark, p.mark, p.mark, p.mark, p.funding_rate) for p in points
    )
    return _Path(Path(file).stem, "a CSV path", f"{file} (marks; BTC rows)", bars)


def _recording_path(
    file: str, hedges: Sequence[HedgeSettings], warn: Callable[[str], None]
) -> _Path:
    """The marks of a recording as minute bars (``hedgetui.history.recording_prices.price_bars``):
    the instrument of the first hedge the recording has, else its only instrument."""
    from pathlib import Path

    from hedgetui.history.recording import read_header
    from hedgetui.history.recording_prices import price_bars
    from hedgetui.venues import get_instrument

    header = read_header(Path(file))
    venue: str | None = None
    symbol: str | None = None
    for hedge in hedges:
        if hedge.symbol in header.symbols.get(hedge.venue, ()):
            venue, symbol = hedge.venue, hedge.symbol
            break
    bars = price_bars(Path(file), venue, symbol, warn=warn)
    if not bars:
        raise ValueError(f"{file}: no minute of mark prices to replay")
    coin = "BTC"
    if venue is not None and symbol is not None:
        coin = get_instrument(venue, symbol).coin
    what = f"{venue} {symbol} marks" if venue is not None else "its marks"
    return _Path(
        Path(file).name.removesuffix(".jsonl.gz"),
        f"a recording, {what}",
        f"{file} ({what}, 1-minute bars)",
        tuple(bars),
        coin=coin,
    )


def _demo_hedges(open_price: float, coin: str) -> tuple[HedgeSettings, ...]:
    """The demo portfolio opened at the path's first price (the other coin at the simulator's
    BTC/ETH ratio of its opening prices)."""
    from hedgetui.demo.portfolio import demo_hedges
    from hedgetui.sim.scenarios import CRASH_START, ETH_START

    if coin == "ETH":
        return demo_hedges(open_price * CRASH_START / ETH_START, open_price)
    return demo_hedges(open_price, ETH_START)
