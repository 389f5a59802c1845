"""The stress test's table (80 columns) and its JSON record: the same figures for the CLI and
the dashboard's stress screen. Pure."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import UTC, datetime

from hedgetui.domain import LIQUIDATION_WORDS, LiquidationState
from hedgetui.history.stress import Figures, HedgeStress, PathColumns, StressResult
from hedgetui.ui.format import pct, price, usd

EXIT_NONE_LIQUIDATED = 0
EXIT_LIQUIDATED = 1  # some hedge would have been liquidated (2 stays bad input)
_ABSOLUTE_MS = 100_000_000_000  # a time above this is epoch ms; below, ms from the path start


@dataclass(frozen=True, slots=True)
class HedgeLabel:
    """What the table says about a hedge besides its figures."""

    name: str
    venue: str
    symbol: str
    side: str


@dataclass(frozen=True, slots=True)
class PathLabel:
    name: str
    title: str
    source: str
    funding: str  # where the funding came from, or that it is unknown
    start_ms: int
    end_ms: int
    bars: int
    first_open: float
    lowest_low: float
    highest_high: float
    last_close: float


@dataclass(frozen=True, slots=True)
class StressRun:
    path: PathLabel
    labels: tuple[HedgeLabel, ...]
    result: StressResult
    notes: tuple[str, ...] = ()

    @property
    def exit_code(self) -> int:
        return EXIT_LIQUIDATED if self.result.any_liquidated else EXIT_NONE_LIQUIDATED


def when(ms: int | None) -> str:
    """``03-12 19:16`` (UTC) for an absolute time; ``+2:05`` (h:mm from the start) for a path
    whose times are relative."""
    if ms is None:
        return "—"
    if ms >= _ABSOLUTE_MS:
        return datetime.fromtimestamp(ms / 1000, UTC).strftime("%m-%d %H:%M")
    minutes = ms // 60_000
    return f"+{minutes // 60}:{minutes % 60:02d}"


def _row(label: str, hedged: str, unhedged: str, note: str = "") -> str:
    return f"  {label:<14}{hedged:>16}{unhedged:>16}  {note}".rstrip()


def _figure_rows(hedged: Figures, unhedged: Figures) -> list[str]:
    return [
        _row("", "hedged", "unhedged"),
        _row("initial", usd(hedged.initial), usd(unhedged.initial)),
        _row(
            "worst",
            usd(hedged.worst),
            usd(unhedged.worst),
            f"{when(hedged.worst_ms)} / {when(unhedged.worst_ms)}",
        ),
        _row("end", usd(hedged.end), usd(unhedged.end)),
        _row("max drawdown", pct(hedged.max_drawdown_pct), pct(unhedged.max_drawdown_pct)),
    ]


def _distance(state: LiquidationState, value: float | None, at: int | None) -> str:
    if state is LiquidationState.NONE:
        return LIQUIDATION_WORDS[LiquidationState.NONE]
    if state is LiquidationState.BELOW_MAINTENANCE or value is None:
        return f"{LIQUIDATION_WORDS[state]} at {when(at)}"
    return f"{pct(value)} at {when(at)}"


def _hedge_lines(h: HedgeStress, label: HedgeLabel) -> list[str]:
    head = f"{h.name}  {h.coin} {label.venue} {label.symbol} {label.side}"
    if abs(h.scale - 1.0) > 1e-9:
        head += f"  (path prices x{h.scale:.4g})"
    lines = [head, *_figure_rows(h.hedged, h.unhedged)]
    lines.append(
        f"  closest to liquidation: "
        f"{_distance(h.min_distance_state, h.min_distance_pct, h.min_distance_ms)}"
        + (
            f" (liq {price(h.liquidation_price)})"
            if h.liquidation_price is not None and h.min_distance_state is not LiquidationState.NONE
            else ""
        )
    )
    if h.liquidated_ms is None:
        lines.append("  liquidated: no")
    else:
        lines.append(
            f"  liquidated: YES at {when(h.liquidated_ms)}, margin lost "
            f"{usd(h.margin_lost_usd)}; spot only after"
        )
    funding = f"  funding: {usd(h.funding_usd, signed=True, decimals=2)} "
    funding += f"({h.funding_events} settlement{'s' if h.funding_events != 1 else ''}"
    if h.funding_unknown:
        funding += f", {h.funding_unknown} unknown counted as zero"
    lines.append(funding + ")")
    return lines


def stress_text(run: StressRun, *, portfolio: bool = True) -> str:
    """The table: the path, then each hedge, then the portfolio (when more than one hedge)."""
    p = run.path
    lines = [
        f"Stress test: {p.name} ({p.title})",
        f"{p.bars} bars, {when(p.start_ms)} → {when(p.end_ms)}"
        + (" UTC" if p.start_ms >= _ABSOLUTE_MS else ""),
        f"price {price(p.first_open)} → low {price(p.lowest_low)} / high "
        f"{price(p.highest_high)} → {price(p.last_close)}",
        f"funding: {p.funding}",
        *(line for note in run.notes for line in textwrap.wrap(note, 80, subsequent_indent="  ")),
        "",
    ]
    for h, label in zip(run.result.hedges, run.labels, strict=True):
        lines += [*_hedge_lines(h, label), ""]
    if portfolio and len(run.result.hedges) > 1:
        pf = run.result.portfolio
        lines += ["portfolio", *_figure_rows(pf.hedged, pf.unhedged)]
        closest = "none"
        if pf.min_distance_hedge is not None:
            closest = f"{pct(pf.min_distance_pct)} ({pf.min_distance_hedge}) at "
            closest += when(pf.min_distance_ms)
        lines.append(f"  closest to liquidation: {closest}")
        lines.append(f"  liquidated: {', '.join(pf.liquidated) if pf.liquidated else 'none'}")
        lines.append(f"  funding: {usd(pf.funding_usd, signed=True, decimals=2)}")
        lines.append("")
    return "\n".join(lines)


def _figures_record(f: Figures) -> dict[str, object]:
    return {
        "initial_usd": f.initial,
        "worst_usd": f.worst,
        "worst_ms": f.worst_ms,
        "end_usd": f.end,
        "max_drawdown_pct": f.max_drawdown_pct,
    }


def _hedge_record(h: HedgeStress, label: HedgeLabel) -> dict[str, object]:
    return {
        "name": h.name,
        "coin": h.coin,
        "venue": label.venue,
        "symbol": label.symbol,
        "side": label.side,
        "price_scale": h.scale,
        "hedged": _figures_record(h.hedged),
        "unhedged": _figures_record(h.unhedged),
        "liquidation_price": h.liquidation_price,
        "min_liquidation_state": h.min_distance_state.value,
        "min_liquidation_distance_pct": h.min_distance_pct,
        "min_liquidation_distance_ms": h.min_distance_ms,
        "liquidated": h.liquidated_ms is not None,
        "liquidated_ms": h.liquidated_ms,
        "margin_lost_usd": h.margin_lost_usd,
        "funding_usd": h.funding_usd,
        "funding_settlements": h.funding_events,
        "funding_unknown": h.funding_unknown,
    }


def stress_record(run: StressRun) -> dict[str, object]:
    """The JSON record (keys documented in docs/stress.md)."""
    p = run.path
    pf = run.result.portfolio
    return {
        "path": {
            "name": p.name,
            "title": p.title,
            "source": p.source,
            "funding": p.funding,
            "bars": p.bars,
            "start_ms": p.start_ms,
            "end_ms": p.end_ms,
        },
        "hedges": [
            _hedge_record(h, lb) for h, lb in zip(run.result.hedges, run.labels, strict=True)
        ],
        "portfolio": {
            "hedged": _figures_record(pf.hedged),
            "unhedged": _figures_record(pf.unhedged),
            "min_liquidation_distance_pct": pf.min_distance_pct,
            "min_liquidation_distance_ms": pf.min_distance_ms,
            "min_liquidation_hedge": pf.min_distance_hedge,
            "liquidated": list(pf.liquidated),
            "funding_usd": pf.funding_usd,
        },
        "notes": list(run.notes),
        "exit_code": run.exit_code,
    }


def path_label(name: str, title: str, source: str, funding: str, path: PathColumns) -> PathLabel:
    """The header of the table for ``path``."""
    return PathLabel(
        name=name,
        title=title,
        source=source,
        funding=funding,
        start_ms=path.times_ms[0],
        end_ms=path.times_ms[-1],
        bars=path.size,
        first_open=path.opens[0],
        lowest_low=min(path.lows),
        highest_high=max(path.highs),
        last_close=path.closes[-1],
    )
