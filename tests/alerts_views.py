"""Builders of DashboardView/HedgeView from the domain dataclasses, for the alert tests."""

from __future__ import annotations

from dataclasses import replace

from hedgetui.domain import (
    DashboardView,
    FeedState,
    FeedView,
    Freshness,
    HedgeView,
    LiquidationState,
    RiskReport,
    TotalsView,
)


def report(
    *,
    liq_distance_pct: float | None = 30.0,
    liq_price: float | None = 45_000.0,
    hedge_ratio: float | None = 1.0,
    equity: float = 1.0,
    buffer: float = 0.9,
    state: LiquidationState | None = None,
) -> RiskReport:
    """A report; ``state`` defaults to what the distance says (none, ahead, or past when <= 0)."""
    if state is None:
        state = (
            LiquidationState.NONE
            if liq_distance_pct is None
            else LiquidationState.AHEAD
            if liq_distance_pct > 0
            else LiquidationState.PAST
        )
    return RiskReport(
        notional_usd=60_000.0,
        position_value_coin=1.0,
        pnl_coin=0.0,
        pnl_usd=0.0,
        equity_coin=equity,
        initial_margin_coin=0.33,
        maintenance_margin_coin=equity - buffer,
        margin_buffer_coin=buffer,
        margin_buffer_usd=buffer * 60_000.0,
        liquidation_state=state,
        liquidation_price=liq_price,
        bankruptcy_price=None if liq_price is None else liq_price * 0.99,
        liquidation_distance_pct=liq_distance_pct,
        liquidation_distance_usd=None if liq_distance_pct is None else 600.0 * liq_distance_pct,
        net_exposure_coin=0.0,
        net_exposure_usd=0.0,
        hedge_ratio=hedge_ratio,
        funding_coin=0.0,
        funding_usd=0.0,
        funding_annualized_pct=0.0,
    )


DEFAULT_REPORT = report()


def hedge(
    name: str = "btc-lev",
    *,
    rep: RiskReport | None = DEFAULT_REPORT,
    buffer_pct: float | None = 90.0,
    funding_apr_pct: float | None = 10.0,
    basis_bps: float | None = 5.0,
    target: float | None = None,
    band: float | None = 0.05,
    mark: Freshness = Freshness.FRESH,
    index: Freshness = Freshness.FRESH,
    funding: Freshness = Freshness.FRESH,
    position: Freshness = Freshness.FRESH,
    exchange_liq: float | None = None,
    venue: str = "bybit",
) -> HedgeView:
    return HedgeView(
        name=name,
        venue=venue,
        symbol="BTCUSD",
        coin="BTC",
        side="long",
        contracts=60_000.0,
        contract_size=1.0,
        mark=60_000.0,
        index=59_990.0,
        mark_freshness=mark,
        index_freshness=index,
        funding_freshness=funding,
        position_freshness=position,
        report=rep,
        spot_coin=0.0,
        target_hedge_ratio=target,
        hedge_band=band,
        hedge_ratio_in_band=None,
        margin_buffer_pct_of_equity=buffer_pct,
        funding_rate=None if funding_apr_pct is None else funding_apr_pct / 109_500.0,
        predicted_funding_rate=None,
        funding_interval_hours=8.0,
        funding_usd_per_interval=None,
        funding_usd_per_day=None,
        funding_apr_pct=funding_apr_pct,
        next_funding_in_s=3600.0,
        funding_carried_coin=0.0,
        funding_carried_usd=0.0,
        basis_usd=None if basis_bps is None else basis_bps * 6.0,
        basis_bps=basis_bps,
        exchange_liquidation_price=exchange_liq,
    )


def feed(
    venue: str = "bybit",
    state: FeedState = FeedState.LIVE,
    freshness: Freshness = Freshness.FRESH,
    age: float | None = 0.2,
) -> FeedView:
    return FeedView(venue=venue, state=state, freshness=freshness, last_message_age=age)


def view(*hedges: HedgeView, feeds: tuple[FeedView, ...] | None = None) -> DashboardView:
    fs = feeds if feeds is not None else (feed(),)
    return DashboardView(
        at=0.0,
        version=1,
        hedges=tuple(hedges),
        totals=TotalsView(net_exposure_usd=0.0, stale=False),
        feeds=fs,
    )


def with_liq(h: HedgeView, distance: float | None) -> HedgeView:
    assert h.report is not None
    state = report(liq_distance_pct=distance).liquidation_state
    return replace(
        h, report=replace(h.report, liquidation_distance_pct=distance, liquidation_state=state)
    )
