"""The store's derived views: one hedge's row and the portfolio's totals (pure functions)."""

from __future__ import annotations

from collections.abc import Sequence

from hedgetui.domain import Freshness, HedgeView, TotalsView
from hedgetui.store.state import AccountPosition, FundingState, HedgeState, Stamped
from hedgetui.store.suggestion import in_band


def hedge_view(
    hedge: HedgeState,
    *,
    mark: Stamped | None,
    index: Stamped | None,
    funding: FundingState | None,
    account: AccountPosition | None,
    hours: float,
    freshness: tuple[Freshness, Freshness, Freshness, Freshness],
    now_ms: int,
) -> HedgeView:
    """The row of ``hedge`` from its inputs; ``freshness``: (mark, index, funding, position);
    ``account``: the account's position (None for a hand-entered one)."""
    hs = hedge.settings
    position = hedge.position
    report = hedge.report
    per_interval = report.funding_usd if report else None
    basis = basis_bps = None
    if mark is not None and index is not None and index.price > 0:
        basis = mark.price - index.price
        basis_bps = basis / index.price * 1e4
    next_in = None
    if funding is not None and funding.next_time is not None:
        next_in = max(0.0, (funding.next_time - now_ms) / 1000)
    ratio = report.hedge_ratio if report else None
    buffer_pct = None
    if report is not None and report.equity_coin > 0:
        buffer_pct = report.margin_buffer_coin / report.equity_coin * 100
    exchange_liq = None
    contracts = position.contracts if position else None
    if hs.position is None:
        exchange_liq = account.update.liquidation_price if account else None
        if account is not None and account.update.contracts == 0:
            contracts = 0.0  # the account reports it flat: a position of 0, not unknown
    mark_fresh, index_fresh, funding_fresh, position_fresh = freshness
    return HedgeView(
        name=hs.name,
        venue=hs.venue,
        symbol=hs.symbol,
        coin=hs.coin,
        side=position.side if position else None,
        contracts=contracts,
        contract_size=position.contract_size if position else hedge.contract_size,
        mark=mark.price if mark else None,
        index=index.price if index else None,
        mark_freshness=mark_fresh,
        index_freshness=index_fresh,
        funding_freshness=funding_fresh,
        position_freshness=position_fresh,
        report=report,
        spot_coin=hs.spot_total,
        target_hedge_ratio=hs.target_hedge_ratio,
        hedge_band=hs.hedge_band if hs.target_hedge_ratio is not None else None,
        hedge_ratio_in_band=in_band(hs, ratio),
        margin_buffer_pct_of_equity=buffer_pct,
        funding_rate=funding.rate if funding else None,
        predicted_funding_rate=funding.predicted if funding else None,
        funding_interval_hours=hours,
        funding_usd_per_interval=per_interval,
        funding_usd_per_day=per_interval * 24 / hours if per_interval is not None else None,
        funding_apr_pct=report.funding_annualized_pct if report else None,
        next_funding_in_s=next_in,
        funding_carried_coin=hedge.carried_coin,
        funding_carried_usd=hedge.carried_usd,
        basis_usd=basis,
        basis_bps=basis_bps,
        exchange_liquidation_price=exchange_liq,
        suggestion=hedge.suggestion,
        carry=hedge.carry,
    )


def totals(hedges: Sequence[HedgeView]) -> TotalsView:
    """The portfolio's sums (None when any hedge lacks the figure)."""
    by_coin: dict[str, float] = {}
    exposure: float | None = 0.0
    buffer: float | None = 0.0
    per_day: float | None = 0.0
    for h in hedges:
        r = h.report
        if r is None:
            exposure = buffer = None
        else:
            by_coin[h.coin] = by_coin.get(h.coin, 0.0) + r.net_exposure_coin
            if exposure is not None:
                exposure += r.net_exposure_usd
            if buffer is not None:
                buffer += r.margin_buffer_usd
        if h.funding_usd_per_day is None:
            per_day = None
        elif per_day is not None:
            per_day += h.funding_usd_per_day
    return TotalsView(
        net_exposure_usd=exposure if hedges else None,
        net_exposure_by_coin=by_coin,
        margin_buffer_usd=buffer if hedges else None,
        funding_usd_per_day=per_day if hedges else None,
        funding_carried_usd=sum(h.funding_carried_usd for h in hedges),
        stale=not hedges or any(h.stale for h in hedges),
    )
