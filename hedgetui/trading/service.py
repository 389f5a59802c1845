"""UnwindService: what the unwind dialog and `hedgetui unwind` share.

It bundles the settings, the account's client (None when there is no account: dry run
only), the audit log, a ``view(hedge)`` callable giving the live ``HedgeView`` and a
``risk_position(hedge)`` callable for the preview. It refuses, with a reason the user can
act on, when the price is stale, the position is unknown, or the request makes no order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from hedgetui.clock import SYSTEM_CLOCK, Clock
from hedgetui.config import HedgeSettings, Settings
from hedgetui.domain import Freshness, HedgeView
from hedgetui.risk import InversePosition
from hedgetui.trading.audit import AuditLog
from hedgetui.trading.broker import Broker, RetryPolicy, Sleep, UnwindResult
from hedgetui.trading.order_gate import account_refusal
from hedgetui.trading.planner import (
    Instrument,
    PlanError,
    UnwindPlan,
    UnwindRequest,
    new_client_order_id,
    plan_unwind,
)
from hedgetui.trading.venues.base import VenueClient
from hedgetui.venues import get_instrument

USABLE = (Freshness.FRESH, Freshness.DELAYED)


class Refused(Exception):
    """The unwind cannot proceed right now; ``str()`` is the reason shown to the user."""


def instrument_for(hedge: HedgeSettings) -> Instrument:
    profile = get_instrument(hedge.venue, hedge.symbol)
    return Instrument(
        venue=hedge.venue,
        symbol=profile.symbol,
        coin=profile.coin,
        contract_size=profile.contract_size,
        lot_size=profile.lot_size,
        tick_size=profile.tick_size,
    )


def _no_position(name: str) -> InversePosition | None:
    return None


@dataclass
class UnwindService:
    settings: Settings
    view: Callable[[str], HedgeView | None]
    audit: AuditLog
    client: VenueClient | None = None
    risk_position: Callable[[str], InversePosition | None] = _no_position
    clock: Clock = SYSTEM_CLOCK
    demo: bool = False  # the simulator's demo accounts count as "trading enabled"
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Sleep | None = None
    on_executed: Callable[[], None] | None = None  # e.g. AccountPoller.poke: re-read at once
    no_client_reason: str | None = None  # why there is no client, when the hedge has an account

    @property
    def dry_run(self) -> bool:
        """True until the config enables trading (or in the demo); no client -> dry run."""
        enabled = self.settings.trading.enabled or self.demo
        return not enabled or self.client is None

    @property
    def dry_run_reason(self) -> str:
        if not (self.settings.trading.enabled or self.demo):
            return "trading is disabled in the config ([trading] enabled)"
        if self.client is None:
            return self.no_client_reason or "no trading account for this hedge (position typed in)"
        return ""

    def hedge(self, name: str) -> HedgeSettings:
        try:
            return self.settings.hedge(name)
        except KeyError as exc:
            raise Refused(str(exc).strip("'\"")) from None

    def check(self, name: str) -> HedgeView:
        """The live view of the hedge, or :class:`Refused` saying why it cannot be unwound."""
        self.hedge(name)
        view = self.view(name)
        if view is None:
            raise Refused(f"hedge {name!r}: no data yet")
        if view.contracts is None or view.side is None:
            raise Refused(f"hedge {name!r}: the position is unknown (no account data yet)")
        if view.position_freshness not in USABLE:
            raise Refused(f"hedge {name!r}: the position data is {view.position_freshness}")
        if view.contracts == 0:
            raise Refused(f"hedge {name!r}: there is no open position")
        if view.mark is None or view.mark_freshness not in USABLE:
            state = "missing" if view.mark is None else str(view.mark_freshness)
            raise Refused(f"hedge {name!r}: the mark price is {state}; refusing to trade on it")
        return view

    def plan(self, name: str, request: UnwindRequest) -> UnwindPlan:
        """The exact order for ``request``; raises :class:`Refused` or ``PlanError``."""
        hedge = self.hedge(name)
        view = self.check(name)
        if (
            self.client
            and not self.dry_run
            and (why := account_refusal(self.client.account, self.client.permissions))
        ):
            raise Refused(why)  # said before the preview; the broker's order gate refuses it too
        if request.fraction is not None and request.fraction > self.settings.trading.max_fraction:
            raise PlanError(
                f"fraction {request.fraction:g} is above trading.max_fraction "
                f"({self.settings.trading.max_fraction:g})"
            )
        cap = self.settings.trading.max_fraction
        if request.contracts is not None and request.contracts > cap * (view.contracts or 0.0):
            raise PlanError(
                f"{request.contracts:g} contracts is more than trading.max_fraction ({cap:g}) "
                f"of the position ({view.contracts:g})"
            )
        if request.limit_offset_bps is None and self.settings.trading.default_limit_offset_bps:
            request = UnwindRequest(
                request.fraction, request.contracts, self.settings.trading.default_limit_offset_bps
            )
        signed = -(view.contracts or 0.0) if view.side == "short" else (view.contracts or 0.0)
        margin = hedge.position.margin_mode if hedge.position else None  # None: ask the venue
        assert view.mark is not None  # check() guarantees it
        plan = plan_unwind(
            hedge=name,
            instrument=instrument_for(hedge),
            position=signed,
            mark=view.mark,
            request=request,
            client_order_id=new_client_order_id(hedge.venue),
            margin_mode=margin,
            risk_position=self.risk_position(name),
            spot=view.spot_coin,
            max_limit_offset_bps=self.settings.trading.max_limit_offset_bps,
        )
        self.audit.write(
            "plan",
            hedge=name,
            dry_run=self.dry_run,
            position_before=plan.position_before,
            position_after=plan.position_after,
            mark=plan.mark,
            order=_order_dict(plan),
        )
        return plan

    def confirm(self, plan: UnwindPlan, typed: str) -> bool:
        """True when ``typed`` is exactly the symbol; the attempt is audited either way."""
        ok = typed.strip() == plan.symbol
        self.audit.write(
            "confirm" if ok else "confirm_refused",
            hedge=plan.hedge,
            client_order_id=plan.order.client_order_id,
            typed_matches=ok,
        )
        return ok

    async def execute(self, plan: UnwindPlan) -> UnwindResult:
        if self.dry_run or self.client is None:
            self.audit.write(
                "dry_run",
                hedge=plan.hedge,
                reason=self.dry_run_reason,
                order=_order_dict(plan),
            )
            return UnwindResult(plan=plan, status="dry_run", position_after=plan.position_before)
        kwargs = {"sleep": self.sleep} if self.sleep is not None else {}
        broker = Broker(self.client, self.audit, policy=self.policy, **kwargs)
        result = await broker.run(plan)
        if self.on_executed is not None:
            self.on_executed()
        return result


def _order_dict(plan: UnwindPlan) -> dict[str, object]:
    o = plan.order
    return {
        "venue": o.venue,
        "symbol": o.symbol,
        "side": o.side,
        "contracts": o.contracts,
        "type": o.order_type,
        "price": o.price,
        "reduce_only": o.reduce_only,
        "client_order_id": o.client_order_id,
    }
