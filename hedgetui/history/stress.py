"""Stress test: replay a price path, bar by bar, through hedges as they are configured now.

Pure: no I/O, no clock. The risk math is ``hedgetui.risk``'s (value, PnL, funding, the
liquidation price and the liquidation-distance rule); this module only walks the path.

How a hedge meets the path:

* the path is taken as relative moves: it is scaled so that its first open equals the hedge's
  ``start_price`` (the CLI uses the position's entry; the dashboard the current mark), so a
  2020 crash at $8,000 hits a position opened at $60,000 with the same percentages;
* the hedge's USD value at a price ``P`` is ``(S + C + U(P)) * P`` (spot, collateral, the
  inverse position's coin PnL), which is linear in ``P``: ``a*P + b`` with ``a = S + C + s*Q/P0``
  (the net delta in coin) and ``b = -s*Q``. So within a bar the worst value is at the bar's low
  (``a >= 0``) or high (``a < 0``) and the best at the other end;
* funding is booked into the collateral at each funding event (``risk.funding_coin`` at the
  bar's close), which moves ``a`` and the liquidation price; unknown funding counts as zero and
  the result says how many funding times were unknown;
* liquidation is judged on the bar's adverse extreme, the HIGH for a short and the LOW for a
  long, not only its close; from that bar on the position is gone and its margin (the collateral
  with the PnL and funding booked to it) is lost: the hedge is its spot coins alone;
* "unhedged" is the same coins (spot + collateral) held without the futures position.

Drawdown: the largest fall from a peak (the start, or an earlier bar's best value) to a bar's
worst value. The inner loops run on plain lists of floats, one pass per hedge.
"""

from __future__ import annotations

import bisect
import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from hedgetui.domain import LiquidationState
from hedgetui.history.model import FundingRecord, PriceBar
from hedgetui.risk import (
    InversePosition,
    funding_coin,
    liquidation_outlook,
    liquidation_price,
    maintenance_margin_coin,
    pnl_coin,
)

_HOUR_MS = 3_600_000
_RATE_HOURS = 8.0  # PriceBar.funding_rate is a rate per 8 hours


@dataclass(frozen=True, slots=True)
class StressHedge:
    """One hedge as configured now: spot coins held outside the venue and the futures position
    (``None``: spot only). ``start_price`` is the price the path is scaled to start at."""

    name: str
    coin: str
    spot: float
    position: InversePosition | None
    start_price: float
    funding_interval_hours: float = 8.0
    funding_offset_hours: float = 0.0  # the venue's grid: BitMEX settles at 04/12/20 UTC


@dataclass(frozen=True, slots=True)
class FundingEvent:
    """A funding settlement on the path: at bar ``index``, ``rate`` for one interval."""

    index: int
    rate: float


@dataclass(frozen=True, slots=True)
class PathColumns:
    """A price path as columns of plain numbers (built once, shared by every hedge)."""

    times_ms: list[int]
    opens: list[float]
    highs: list[float]
    lows: list[float]
    closes: list[float]
    # per-8h rate in force during each bar where the source knows it (None: unknown)
    bar_rates: list[float | None]

    @property
    def size(self) -> int:
        return len(self.times_ms)


def columns(bars: Sequence[PriceBar]) -> PathColumns:
    """The columns of ``bars`` (time-ordered, at least one bar; a caller's reader checks)."""
    if not bars:
        raise ValueError("a stress path needs at least one bar")
    return PathColumns(
        times_ms=[b.time_ms for b in bars],
        opens=[b.open for b in bars],
        highs=[b.high for b in bars],
        lows=[b.low for b in bars],
        closes=[b.close for b in bars],
        bar_rates=[b.funding_rate for b in bars],
    )


@dataclass(frozen=True, slots=True)
class FundingPlan:
    """The funding events a hedge meets on the path, and how many funding times were unknown."""

    events: tuple[FundingEvent, ...]
    unknown: int


def funding_from_records(path: PathColumns, records: Sequence[FundingRecord]) -> FundingPlan:
    """Events at the records' own settlement times (the source venue's grid) inside the path:
    a record at time ``T`` settles in the bar holding ``T`` (``open <= T < open + 1 bar``). A
    settlement at the path's very first instant pays for the interval before it: not counted."""
    times = path.times_ms
    step = times[1] - times[0] if len(times) > 1 else 60_000
    end = times[-1] + step
    events: list[FundingEvent] = []
    for record in records:
        if times[0] < record.time_ms < end:
            index = bisect.bisect_right(times, record.time_ms) - 1
            events.append(FundingEvent(index, record.rate))
    return FundingPlan(tuple(events), 0)


def funding_from_bars(
    path: PathColumns, interval_hours: float, offset_hours: float = 0.0
) -> FundingPlan:
    """Events on the venue's grid (every ``interval_hours`` from ``offset_hours`` past midnight
    UTC) with the rate the bars carry (a rate per 8 h, scaled to the interval); a grid time
    whose bar has no rate is counted unknown (zero)."""
    interval_ms = max(1, round(interval_hours * _HOUR_MS))
    offset_ms = round(offset_hours * _HOUR_MS) % interval_ms
    scale = interval_hours / _RATE_HOURS
    events: list[FundingEvent] = []
    unknown = 0
    times = path.times_ms
    step = times[1] - times[0] if len(times) > 1 else 60_000
    # the first grid time after the start (a settlement AT the start pays for the past)
    first = ((times[0] - offset_ms) // interval_ms + 1) * interval_ms + offset_ms
    for at in range(first, times[-1] + step, interval_ms):
        index = bisect.bisect_right(times, at) - 1
        rate = path.bar_rates[index]
        if rate is None or not math.isfinite(rate):
            unknown += 1
        else:
            events.append(FundingEvent(index, rate * scale))
    return FundingPlan(tuple(events), unknown)


# --------------------------------------------------------------------------- results

# A value series is piecewise linear in the path's price: from bar ``start`` on it is
# ``a*P + b`` (``a`` in coin per path dollar, ``b`` in USD).
_Piece = tuple[int, float, float]


@dataclass(frozen=True, slots=True)
class Figures:
    """The article's comparison columns for one value series (USD)."""

    initial: float
    worst: float
    worst_ms: int
    end: float
    max_drawdown_pct: float


@dataclass(frozen=True, slots=True)
class HedgeStress:
    """A hedge through the path: hedged and unhedged figures, liquidation, funding."""

    name: str
    coin: str
    scale: float  # hedge price / path price
    hedged: Figures
    unhedged: Figures
    liquidation_price: float | None  # at the start, in the hedge's prices
    min_distance_pct: float | None  # lowest liquidation distance (adverse extreme of a bar)
    min_distance_ms: int | None
    min_distance_state: LiquidationState
    liquidated_ms: int | None
    margin_lost_usd: float  # the equity the liquidation took, at its price
    funding_usd: float  # received (+) or paid (-), each payment valued at its time
    funding_events: int
    funding_unknown: int
    pieces: tuple[_Piece, ...] = dataclasses.field(default=(), repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class PortfolioStress:
    hedged: Figures
    unhedged: Figures
    min_distance_pct: float | None
    min_distance_ms: int | None
    min_distance_hedge: str | None
    liquidated: tuple[str, ...]
    funding_usd: float


@dataclass(frozen=True, slots=True)
class StressResult:
    hedges: tuple[HedgeStress, ...]
    portfolio: PortfolioStress

    @property
    def any_liquidated(self) -> bool:
        return bool(self.portfolio.liquidated)


# --------------------------------------------------------------------------- the walk


def _figures(path: PathColumns, pieces: Sequence[_Piece], initial: float | None = None) -> Figures:
    """Initial (the first piece at the first open, unless given), worst, end and maximum
    drawdown of a piecewise linear value series."""
    lows, highs = path.lows, path.highs
    _, a0, b0 = pieces[0]
    peak = a0 * path.opens[0] + b0 if initial is None else initial
    initial = peak
    worst = math.inf
    worst_i = 0
    max_dd = 0.0
    for n, (start, a, b) in enumerate(pieces):
        stop = pieces[n + 1][0] if n + 1 < len(pieces) else path.size
        if stop <= start:
            continue
        wcol, bcol = (lows, highs) if a >= 0 else (highs, lows)
        # the worst bar of the piece, at C speed
        extreme = min(wcol[start:stop]) if a >= 0 else max(wcol[start:stop])
        low_value = a * extreme + b
        if low_value < worst:
            worst = low_value
            worst_i = wcol.index(extreme, start, stop)
        # the drawdown needs the running peak: the one loop over every bar
        for w, v in zip(wcol[start:stop], bcol[start:stop], strict=True):
            fall = peak - (a * w + b)
            if fall > max_dd * peak:
                max_dd = fall / peak if peak > 0 else 0.0
            best = a * v + b
            if best > peak:
                peak = best
    _, a_end, b_end = pieces[-1]
    end = a_end * path.closes[-1] + b_end
    return Figures(initial, worst, path.times_ms[worst_i], end, max_dd * 100.0)


@dataclass(slots=True)
class _Walk:
    """What walking one position along the path found."""

    pieces: list[_Piece]
    liquidation_price: float | None = None
    distance: tuple[float, int, LiquidationState] | None = None  # (pct or -inf, bar, state)
    liquidated_i: int | None = None
    margin_lost_usd: float = 0.0
    funding_usd: float = 0.0
    funding_events: int = 0

    def closer(self, pct: float | None, at: int, state: LiquidationState) -> None:
        key = -math.inf if pct is None else pct
        if self.distance is None or key < self.distance[0]:
            self.distance = (key, at, state)


def _first(adverse: list[float], start: int, stop: int, reached: Callable[[float], bool]) -> int:
    """The first bar in ``[start, stop)`` whose adverse extreme has ``reached`` (the caller
    knows one has: the window's extreme did)."""
    for i in range(start, stop):
        if reached(adverse[i]):
            return i
    return stop - 1


def _walk_position(
    path: PathColumns, hedge: StressHedge, position: InversePosition, plan: FundingPlan, k: float
) -> _Walk:
    """The hedge's value pieces (in path prices), funding booked into the collateral at the
    close of each event's bar, liquidation judged on each bar's adverse extreme."""
    s = position.sign
    q = position.notional_usd
    short = s == -1
    adverse = path.highs if short else path.lows
    walk = _Walk(pieces=[])
    pos = position
    start = 0
    events = list(plan.events)
    for n in range(len(events) + 1):
        stop = events[n].index + 1 if n < len(events) else path.size
        mark = (path.opens[0] if start == 0 else path.closes[start - 1]) * k
        liq = liquidation_price(pos, mark)
        if n == 0:
            walk.liquidation_price = liq
        if stop > start:
            walk.pieces.append(
                (start, (hedge.spot + pos.collateral + s * q / pos.entry) * k, -s * q)
            )
            window = adverse[start:stop]
            extreme = max(window) if short else min(window)
            price = extreme * k
            buffer = pos.collateral + pnl_coin(pos, price) - maintenance_margin_coin(pos, price)
            outlook = liquidation_outlook(pos.side, price, liq, buffer)
            if outlook.state is LiquidationState.PAST and liq is not None:
                hit = _first(adverse, start, stop, partial(_past, pos, liq, k))
                at_hit = liquidation_outlook(pos.side, adverse[hit] * k, liq, buffer)
                walk.closer(at_hit.distance_pct, hit, LiquidationState.PAST)
                return _liquidated(walk, hedge, pos, hit, liq, k)
            if outlook.state is LiquidationState.BELOW_MAINTENANCE:
                hit = _first(adverse, start, stop, partial(_below_maintenance, pos, k))
                walk.closer(None, hit, outlook.state)
                return _liquidated(walk, hedge, pos, hit, adverse[hit] * k, k)
            if outlook.state is LiquidationState.AHEAD:
                walk.closer(
                    outlook.distance_pct, adverse.index(extreme, start, stop), outlook.state
                )
            start = stop
        if n < len(events):
            close = path.closes[events[n].index] * k
            paid = funding_coin(pos, close, events[n].rate)
            walk.funding_usd += paid * close
            walk.funding_events += 1
            pos = dataclasses.replace(pos, collateral=max(0.0, pos.collateral + paid))
    return walk


def _past(pos: InversePosition, liq: float, k: float, path_price: float) -> bool:
    """The adverse extreme ``path_price`` is at or past ``liq`` (risk.liquidation's rule)."""
    price = path_price * k
    return liquidation_outlook(pos.side, price, liq, 0.0).state is LiquidationState.PAST


def _below_maintenance(pos: InversePosition, k: float, path_price: float) -> bool:
    price = path_price * k
    return pos.collateral + pnl_coin(pos, price) < maintenance_margin_coin(pos, price)


def _liquidated(
    walk: _Walk, hedge: StressHedge, pos: InversePosition, hit: int, price: float, k: float
) -> _Walk:
    """From bar ``hit`` on, the hedge is its spot coins alone; the position's equity at the
    liquidation price is the margin lost."""
    walk.liquidated_i = hit
    walk.margin_lost_usd = max(0.0, (pos.collateral + pnl_coin(pos, price)) * price)
    walk.pieces.append((hit, hedge.spot * k, 0.0))
    return walk


def _merged(series: Sequence[Sequence[_Piece]]) -> list[_Piece]:
    """The sum of piecewise linear series: a piece wherever any of them starts one."""
    starts = sorted({start for pieces in series for start, _, _ in pieces})
    keys = [[piece[0] for piece in pieces] for pieces in series]
    merged: list[_Piece] = []
    for start in starts:
        a = b = 0.0
        for pieces, at in zip(series, keys, strict=True):
            _, da, db = pieces[max(0, bisect.bisect_right(at, start) - 1)]
            a += da
            b += db
        merged.append((start, a, b))
    return merged


def _held(hedge: StressHedge) -> float:
    """The coins of the hedge without its futures position: spot plus collateral."""
    return hedge.spot + (hedge.position.collateral if hedge.position is not None else 0.0)


def stress_hedge(path: PathColumns, hedge: StressHedge, plan: FundingPlan) -> HedgeStress:
    """One hedge through the path (see the module doc)."""
    k = hedge.start_price / path.opens[0]
    position = hedge.position
    held = _held(hedge)
    unhedged = _figures(path, [(0, held * k, 0.0)])
    if position is None or position.notional_usd == 0:
        walk = _Walk(pieces=[(0, held * k, 0.0)])
    else:
        walk = _walk_position(path, hedge, position, plan, k)
    times = path.times_ms
    distance = walk.distance
    return HedgeStress(
        name=hedge.name,
        coin=hedge.coin,
        scale=k,
        hedged=_figures(path, walk.pieces),
        unhedged=unhedged,
        liquidation_price=walk.liquidation_price,
        min_distance_pct=None if distance is None or distance[0] == -math.inf else distance[0],
        min_distance_ms=None if distance is None else times[distance[1]],
        min_distance_state=LiquidationState.NONE if distance is None else distance[2],
        liquidated_ms=None if walk.liquidated_i is None else times[walk.liquidated_i],
        margin_lost_usd=walk.margin_lost_usd,
        funding_usd=walk.funding_usd,
        funding_events=walk.funding_events,
        funding_unknown=plan.unknown if position is not None else 0,
        pieces=tuple(walk.pieces),
    )


def stress(path: PathColumns, hedges: Sequence[tuple[StressHedge, FundingPlan]]) -> StressResult:
    """Every hedge through the path, and the portfolio (their sum, bar by bar)."""
    results = tuple(stress_hedge(path, hedge, plan) for hedge, plan in hedges)
    held = [(0, _held(hedge) * r.scale, 0.0) for (hedge, _), r in zip(hedges, results, strict=True)]
    closest = min(
        (r for r in results if r.min_distance_ms is not None),
        key=lambda r: -math.inf if r.min_distance_pct is None else r.min_distance_pct,
        default=None,
    )
    portfolio = PortfolioStress(
        hedged=_figures(
            path, _merged([r.pieces for r in results]), sum(r.hedged.initial for r in results)
        ),
        unhedged=_figures(path, _merged([[piece] for piece in held])),
        min_distance_pct=None if closest is None else closest.min_distance_pct,
        min_distance_ms=None if closest is None else closest.min_distance_ms,
        min_distance_hedge=None if closest is None else closest.name,
        liquidated=tuple(r.name for r in results if r.liquidated_ms is not None),
        funding_usd=sum(r.funding_usd for r in results),
    )
    return StressResult(results, portfolio)
