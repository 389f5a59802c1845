"""AdjustService: what the adjust dialog (``r``) and ``hedgetui adjust`` share.

It wraps the hedge's :class:`~hedgetui.trading.service.UnwindService` (same settings, client,
audit log, dry-run rule, typed confirmation, broker, lost-reply handling and settlement) and
plans with :func:`~hedgetui.trading.adjust.plan_adjust` instead: an order in either direction,
within the hedge's limits (``[trading]`` and ``[hedges.trading]``). Orders that increase the
position go through the same broker and order gate as unwinds; only ``reduce_only`` differs.
"""

from __future__ import annotations

from dataclasses import dataclass

from hedgetui.config import HedgeSettings, Settings, TradeLimits
from hedgetui.domain import HedgeView
from hedgetui.risk import InversePosition
from hedgetui.trading.adjust import plan_adjust
from hedgetui.trading.adjust_plan import AdjustLimits, AdjustPlan, AdjustRequest, HedgeState
from hedgetui.trading.audit import AuditLog
from hedgetui.trading.broker import Settlement, UnwindResult
from hedgetui.trading.order_gate import account_refusal
from hedgetui.trading.planner import new_client_order_id
from hedgetui.trading.service import (
    USABLE,
    Refused,
    UnwindService,
    instrument_for,
    order_dict,
)
from hedgetui.venues import get_instrument


def limits_for(settings: Settings, hedge: HedgeSettings) -> AdjustLimits:
    """The order limits that apply to ``hedge``: its ``[hedges.trading]`` over ``[trading]``."""
    own = hedge.trading
    limits: TradeLimits = own if own is not None else settings.trading
    scope = f"hedges.{hedge.name}.trading" if own is not None else "trading"
    return AdjustLimits(
        max_order_contracts=limits.max_order_contracts,
        max_order_usd=limits.max_order_usd,
        max_leverage=limits.max_leverage,
        min_liquidation_distance_pct=limits.min_liquidation_distance_pct,
        target_hedge_ratio=hedge.target_hedge_ratio,
        hedge_band=hedge.hedge_band,
        max_limit_offset_bps=settings.trading.max_limit_offset_bps,
        scope=scope,
    )


@dataclass
class AdjustService:
    unwind: UnwindService

    @property
    def settings(self) -> Settings:
        return self.unwind.settings

    @property
    def audit(self) -> AuditLog:
        return self.unwind.audit

    @property
    def dry_run(self) -> bool:
        return self.unwind.dry_run

    @property
    def dry_run_reason(self) -> str:
        return self.unwind.dry_run_reason

    @property
    def simulated(self) -> bool:
        return self.unwind.simulated

    def limits(self, name: str) -> AdjustLimits:
        return limits_for(self.settings, self.unwind.hedge(name))

    def check(self, name: str) -> HedgeView:
        """The live view of the hedge, or :class:`Refused` saying why it cannot be adjusted:
        unknown or stale position, stale or missing mark. A flat position may be adjusted."""
        self.unwind.hedge(name)
        view = self.unwind.view(name)
        if view is None:
            raise Refused(f"hedge {name!r}: no data yet")
        reported = self.unwind.account_position(name)
        flat = view.contracts == 0 or (
            view.contracts is None and reported is not None and not reported.contracts
        )
        if not flat and (view.contracts is None or view.side is None):
            error = self.unwind.account_error(name)
            if error:
                raise Refused(f"hedge {name!r}: the position is unknown: {error}")
            raise Refused(f"hedge {name!r}: the position is unknown (no account data yet)")
        if view.position_freshness not in USABLE and not (flat and reported is not None):
            raise Refused(f"hedge {name!r}: the position data is {view.position_freshness}")
        if view.mark is None or view.mark_freshness not in USABLE:
            state = "missing" if view.mark is None else str(view.mark_freshness)
            raise Refused(f"hedge {name!r}: the mark price is {state}; refusing to trade on it")
        return view

    def state(self, name: str, view: HedgeView) -> HedgeState:
        """The planner's picture of the hedge from the live view, the risk position and the
        account's balance (its wallet is the collateral of a flat account's new short)."""
        hedge = self.unwind.hedge(name)
        contracts = view.contracts or 0.0
        signed = -contracts if view.side == "short" else contracts
        risk = self.unwind.risk_position(name) if signed else None
        if signed and risk is None:
            raise Refused(f"hedge {name!r}: the position's collateral is unknown (no balance yet)")
        manual = hedge.position
        balance = self.unwind.balance(name)
        if manual is not None:
            collateral = manual.collateral or 0.0
        elif balance is not None:
            collateral = balance.wallet_balance
        elif not signed:
            raise Refused(f"hedge {name!r}: the account's balance is unknown (no balance yet)")
        else:
            collateral = 0.0
        reported = self.unwind.account_position(name)
        assert view.mark is not None  # check() guarantees it
        return HedgeState(
            position=signed,
            mark=view.mark,
            spot=view.spot_coin,
            risk_position=risk,
            collateral=collateral,
            template=None if risk else _template(hedge, reported.leverage if reported else None),
            available_margin=balance.available_margin if balance is not None else None,
            funding_rate=view.funding_rate,
            funding_hours=view.funding_interval_hours or 8.0,
            margin_mode=manual.margin_mode if manual is not None else None,
        )

    def plan(
        self, name: str, request: AdjustRequest, *, client_order_id: str | None = None
    ) -> AdjustPlan:
        """The exact order for ``request``; raises :class:`Refused` or ``PlanError``."""
        hedge = self.unwind.hedge(name)
        view = self.check(name)
        client = self.unwind.client
        if (
            client
            and not self.dry_run
            and (why := account_refusal(client.account, client.permissions))
        ):
            raise Refused(why)
        default_offset = self.settings.trading.default_limit_offset_bps
        if request.limit_offset_bps is None and default_offset:
            request = AdjustRequest(request.to, request.by, request.band, default_offset)
        plan = plan_adjust(
            hedge=name,
            instrument=instrument_for(hedge),
            state=self.state(name, view),
            request=request,
            client_order_id=client_order_id or new_client_order_id(hedge.venue),
            limits=self.limits(name),
        )
        cid = plan.order.client_order_id
        self.unwind.remember_freshness(cid, (view.mark_freshness, view.position_freshness))
        if client_order_id is None:
            self.unwind.audit.write(
                "plan",
                hedge=name,
                action="adjust",
                strategy=plan.strategy,
                dry_run=self.dry_run,
                position_before=plan.position_before,
                position_after=plan.position_after,
                ratio_before=plan.adjust.ratio_before if plan.adjust else None,
                ratio_after=plan.adjust.ratio_after if plan.adjust else None,
                mark=plan.mark,
                order=order_dict(plan),
            )
        return plan

    def account_error(self, name: str) -> str | None:
        return self.unwind.account_error(name)

    def confirm(self, plan: AdjustPlan, typed: str) -> bool:
        return self.unwind.confirm(plan, typed)

    def replan(
        self, confirmed: AdjustPlan, request: AdjustRequest
    ) -> tuple[AdjustPlan, str | None]:
        """As :meth:`UnwindService.replan`: planned again now, same client order id."""
        cid = confirmed.order.client_order_id
        before = self.unwind.freshness_of(cid)
        fresh = self.plan(confirmed.hedge, request, client_order_id=cid)
        return fresh, self.unwind.audit_replan(confirmed, fresh, before)

    async def execute(self, plan: AdjustPlan) -> UnwindResult:
        return await self.unwind.execute(plan)

    async def settle(self, plan: AdjustPlan) -> Settlement:
        return await self.unwind.settle(plan)


def _template(hedge: HedgeSettings, leverage: float | None) -> InversePosition:
    """The margin parameters of a short the flat hedge would open (the venue profile's)."""
    p = get_instrument(hedge.venue, hedge.symbol)
    return InversePosition(
        side="short",
        contracts=0.0,
        contract_size=p.contract_size,
        entry=1.0,
        collateral=0.0,
        mmr=p.mmr,
        tiers=p.tiers,
        mm_basis=p.mm_basis,
        fee=p.taker_fee,
        leverage=leverage,
        mmr_per_coin=p.mmr_per_coin,
    )
