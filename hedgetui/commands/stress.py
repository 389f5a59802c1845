"""`hedgetui stress`: replay a real crash (or any price path) through the hedges as configured now.

Prints the article's comparison table for each hedge and the portfolio (hedged vs unhedged:
initial, worst, end, maximum drawdown; the closest approach to liquidation; funding). Exit
codes: 0 no hedge would have been liquidated, 1 some hedge would have been, 2 bad input.
"""

from __future__ import annotations

import argparse
import sys

from hedgetui.commands.args import EXIT_USAGE

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
    from hedgetui.history.stress_report import stress_record, stress_text
    from hedgetui.history.stress_run import run_stress, stress_hedges

    if args.demo and getattr(args, "config", None) is not None:
        return _fail("--demo and --config do not go together: pick one portfolio")
    try:
        path = _path(args)
    except ValueError as exc:
        return _fail(str(exc))
    if args.demo:
        from hedgetui.demo.portfolio import demo_hedges
        from hedgetui.sim.scenarios import ETH_START

        hedges = demo_hedges(path.bars[0].open, ETH_START)
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
        notes=notes,
    )
    if args.json:
        sys.stdout.write(json_line(stress_record(run_)) + "\n")
    else:
        sys.stdout.write(stress_text(run_))
    sys.stdout.flush()
    return run_.exit_code


class _Path:
    """A path to replay: its bars and, for a shipped crash, the period's funding records."""

    def __init__(
        self,
        name: str,
        title: str,
        source: str,
        bars: tuple[object, ...],
        records: tuple[object, ...] | None = None,
        records_label: str = "",
    ) -> None:
        from hedgetui.history.model import FundingRecord, PriceBar

        self.name, self.title, self.source = name, title, source
        self.bars = tuple(b for b in bars if isinstance(b, PriceBar))
        self.records = (
            None if records is None else tuple(r for r in records if isinstance(r, FundingRecord))
        )
        self.records_label = records_label


def _path(args: argparse.Namespace) -> _Path:
    """The path the flags name; ``ValueError`` with one line for anything unusable."""
    if args.path is not None:
        return _csv_path(args.path)
    if args.recording is not None:
        raise ValueError("--recording: not available in this build")
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
    from hedgetui.sim.scenarios import load_csv_scenario

    scenario = load_csv_scenario(file, loop=False)  # ScenarioError is a ValueError
    points = scenario.paths.get("BTC") or next(iter(scenario.paths.values()))
    bars = tuple(
        PriceBar(round(p.t * 1000), p.mark, p.mark, p.mark, p.mark, p.funding_rate) for p in points
    )
    return _Path(Path(file).stem, "a CSV path", f"{file} (marks; BTC rows)", bars)
