"""A stress run from the config's hedges and a path: the one recipe the CLI and the dashboard
share (which hedges can be tested, where each starts, which funding applies)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hedgetui.config import HedgeSettings
from hedgetui.history.model import FundingRecord, PriceBar
from hedgetui.history.stress import (
    FundingPlan,
    StressHedge,
    columns,
    funding_from_bars,
    funding_from_records,
    stress,
)
from hedgetui.history.stress_report import HedgeLabel, StressRun, path_label
from hedgetui.risk import InversePosition
from hedgetui.store.positions import manual_position
from hedgetui.venues import get_instrument

NO_FUNDING = "unknown on this path: counted as zero"


def stress_hedges(
    hedges: Sequence[HedgeSettings],
    *,
    positions: Mapping[str, InversePosition] | None = None,
    start_prices: Mapping[str, float] | None = None,
) -> tuple[list[tuple[StressHedge, HedgeLabel]], list[str]]:
    """The hedges a stress run can test, and one note per hedge it cannot.

    A hedge's position is its ``[hedges.position]`` or, in ``positions``, the one its account
    reports (the dashboard's); it starts at ``start_prices[name]`` (the dashboard: the mark)
    else at the position's entry. A hedge with neither position is left out with a note."""
    out: list[tuple[StressHedge, HedgeLabel]] = []
    notes: list[str] = []
    for hedge in hedges:
        profile = get_instrument(hedge.venue, hedge.symbol)
        position = (positions or {}).get(hedge.name)
        if position is None and hedge.position is not None:
            position = manual_position(
                hedge.position,
                profile_contract_size=profile.contract_size,
                venue=hedge.venue,
                symbol=hedge.symbol,
            )
        if position is None:
            notes.append(
                f"note: hedge '{hedge.name}' left out: its position comes from account "
                f"'{hedge.account}', which stress does not read; give it a [hedges.position]"
            )
            continue
        start = (start_prices or {}).get(hedge.name, position.entry)
        out.append(
            (
                StressHedge(
                    name=hedge.name,
                    coin=hedge.coin,
                    spot=hedge.spot_total,
                    position=position,
                    start_price=start,
                    funding_interval_hours=profile.funding_interval_hours,
                    funding_offset_hours=profile.funding_offset_hours,
                ),
                HedgeLabel(hedge.name, hedge.venue, hedge.symbol, position.side),
            )
        )
    return out, notes


def run_stress(
    *,
    name: str,
    title: str,
    source: str,
    bars: Sequence[PriceBar],
    hedges: Sequence[tuple[StressHedge, HedgeLabel]],
    records: Sequence[FundingRecord] | None = None,
    records_label: str = "",
    notes: Sequence[str] = (),
) -> StressRun:
    """The hedges through ``bars``. Funding: ``records`` at their own times when given (a
    history's funding file), else the rates the bars carry on each hedge's venue grid."""
    path = columns(bars)
    plans: list[FundingPlan] = []
    for hedge, _ in hedges:
        if records is not None:
            plans.append(funding_from_records(path, records))
        else:
            plans.append(
                funding_from_bars(path, hedge.funding_interval_hours, hedge.funding_offset_hours)
            )
    if records is not None:
        funding = records_label
    elif all(r is None for r in path.bar_rates):
        funding = NO_FUNDING
    else:
        funding = "the path's own rates, on each venue's funding grid"
    result = stress(path, [(h, plan) for (h, _), plan in zip(hedges, plans, strict=True)])
    notes = list(notes)
    coins = sorted({h.coin for h, _ in hedges} - {"BTC"})
    if coins:
        notes.append(f"note: {', '.join(coins)} hedges follow the path's moves (BTC's), scaled")
    return StressRun(
        path=path_label(name, title, source, funding, path),
        labels=tuple(label for _, label in hedges),
        result=result,
        notes=tuple(notes),
    )
