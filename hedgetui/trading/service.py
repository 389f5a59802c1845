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
from hedgetui.domain import BalanceUpdate, Freshness, HedgeView, PositionUpdate
from hedgetui.risk import InversePosition
from hedgetui.trading.audit import AuditLog
from hedgetui.trading.broker import Broker, RetryPolicy, Settlement, Sleep, UnwindResult
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

REPLAN_MARK_TOLERANCE = 0.005
"""After the typed confirmation the order is planned again on the data as it is then; a mark
that moved more than this fraction (0.5%) since the preview, a position that changed, or data
that is no longer as fresh as it was, shows the new order and asks again."""


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


def _nothing(name: str) -> None:
    return None


def plan_moved(
    before: UnwindPlan,
    after: UnwindPlan,
    freshness_before: tuple[Freshness, Freshness],
    freshness_after: tuple[Freshness, Freshness],
) -> str | None:
    """Why ``after`` (the order re-planned after confirmation) needs a new confirmation of its
    own, or None when it is ``before`` on data that moved within the tolerance."""
    if after.position_before != before.position_before:
        return (
            f"the position changed from {before.position_before:+g} to {after.position_before:+g}"
        )
    if abs(after.mark / before.mark - 1) > REPLAN_MARK_TOLERANCE:
        change = (after.mark / before.mark - 1) * 100
        return (
            f"the mark moved {change:+.2f}% ({before.mark:,.2f} -> {after.mark:,.2f}), "
            f"more than {REPLAN_MARK_TOLERANCE * 100:g}%"
        )
    for what, old, new in zip(("mark", "position"), freshness_before, freshness_after, strict=True):
        if USABLE.index(new) > USABLE.index(old):
            return f"the {what} data is now {new}, it was {old}"
    if (after.order.side, after.order.contracts) != (before.order.side, before.order.contracts):
        return "the order changed"
    return None


@dataclass
class UnwindService:
    settings: Settings
    view: Callable[[str], HedgeView | None]
    audit: AuditLog
    client: VenueClient | None = None
    risk_position: Callable[[str], InversePosition | None] = _no_position
    clock: Clock = SYSTEM_CLOCK
    # the account is on the built-in simulator (the demo): its orders move no money, so it
    # counts as "trading enabled", and the dialog says where the order goes
    simulated: bool = False
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Sleep | None = None
    on_executed: Callable[[], None] | None = None  # e.g. AccountPoller.poke: re-read at once
    no_client_reason: str | None = None  # why there is no client, when the hedge has an account
    # the account's last position report for the hedge (a flat one included), when known
    account_position: Callable[[str], PositionUpdate | None] = _nothing
    # why the account's position could not be read (the venue's or the transport's words)
    account_error: Callable[[str], str | None] = _nothing
    # the account's last balance in the hedge's coin (wallet, and the margin new orders may
    # use: adjust's increases), when known
    balance: Callable[[str], BalanceUpdate | None] = _nothing
    _freshness: dict[str, tuple[Freshness, Freshness]] = field(
        default_factory=dict, init=False, repr=False
    )

    @property
    def dry_run(self) -> bool:
        """True until the config enables trading (or on the simulator); no client -> dry run."""
        enabled = self.settings.trading.enabled or self.simulated
        return not enabled or self.client is None

    @property
    def dry_run_reason(self) -> str:
        if not (self.settings.trading.enabled or self.simulated):
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
        reported = self.account_position(name)
        if view.contracts == 0 or (view.contracts is None and reported and not reported.contracts):
            raise Refused(f"hedge {name!r}: there is no open position")
        if view.contracts is None or view.side is None:
            error = self.account_error(name)
            if error:
                raise Refused(f"hedge {name!r}: the position is unknown: {error}")
            raise Refused(f"hedge {name!r}: the position is unknown (no account data yet)")
        if view.position_freshness not in USABLE:
            raise Refused(f"hedge {name!r}: the position data is {view.position_freshness}")
        if view.mark is None or view.mark_freshness not in USABLE:
            state = "missing" if view.mark is None else str(view.mark_freshness)
            raise Refused(f"hedge {name!r}: the mark price is {state}; refusing to trade on it")
        return view

    def plan(
        self, name: str, request: UnwindRequest, *, client_order_id: str | None = None
    ) -> UnwindPlan:
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
            client_order_id=client_order_id or new_client_order_id(hedge.venue),
            margin_mode=margin,
            risk_position=self.risk_position(name),
            spot=view.spot_coin,
            max_limit_offset_bps=self.settings.trading.max_limit_offset_bps,
        )
        self.remember_freshness(
            plan.order.client_order_id, (view.mark_freshness, view.position_freshness)
        )
        if client_order_id is None:  # a re-plan is audited by replan(), when it moved
            self.audit.write(
                "plan",
                hedge=name,
                dry_run=self.dry_run,
                position_before=plan.position_before,
                position_after=plan.position_after,
                mark=plan.mark,
                order=order_dict(plan),
            )
        return plan

    def remember_freshness(self, cid: str, freshness: tuple[Freshness, Freshness]) -> None:
        """How fresh the mark and the position were when order ``cid`` was planned."""
        self._freshness[cid] = freshness

    def freshness_of(self, cid: str) -> tuple[Freshness, Freshness]:
        return self._freshness.get(cid, (Freshness.FRESH, Freshness.FRESH))

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

    def replan(
        self, confirmed: UnwindPlan, request: UnwindRequest
    ) -> tuple[UnwindPlan, str | None]:
        """``confirmed`` planned again on the data as it is now (same client order id), and
        why it must be confirmed again (None: it moved within the tolerance; send the new one).
        Raises :class:`Refused` / ``PlanError`` as :meth:`plan` does."""
        cid = confirmed.order.client_order_id
        before = self.freshness_of(cid)
        fresh = self.plan(confirmed.hedge, request, client_order_id=cid)
        return fresh, self.audit_replan(confirmed, fresh, before)

    def audit_replan(
        self, confirmed: UnwindPlan, fresh: UnwindPlan, before: tuple[Freshness, Freshness]
    ) -> str | None:
        """Why ``fresh`` (``confirmed`` planned again, its data's freshness ``before`` the new
        plan) must be confirmed again, audited as ``replan``; None: send it (unwind and
        adjust share this)."""
        moved = plan_moved(confirmed, fresh, before, self.freshness_of(fresh.order.client_order_id))
        if moved is not None:
            self.audit.write(
                "replan",
                hedge=confirmed.hedge,
                reason=moved,
                position_before=fresh.position_before,
                mark=fresh.mark,
                order=order_dict(fresh),
            )
        return moved

    def _broker(self) -> Broker:
        assert self.client is not None
        kwargs = {"sleep": self.sleep} if self.sleep is not None else {}
        return Broker(self.client, self.audit, policy=self.policy, **kwargs)

    async def settle(self, plan: UnwindPlan) -> Settlement:
        """After Ctrl-C while :meth:`execute` ran: what became of the order (see Broker.settle)."""
        settled = await self._broker().settle(plan)
        if self.on_executed is not None:
            self.on_executed()
        return settled

    async def execute(self, plan: UnwindPlan) -> UnwindResult:
        if self.dry_run or self.client is None:
            self.audit.write(
                "dry_run",
                hedge=plan.hedge,
                reason=self.dry_run_reason,
                order=order_dict(plan),
            )
            return UnwindResult(plan=plan, status="dry_run", position_after=plan.position_before)
        result = await self._broker().run(plan)
        if self.on_executed is not None:
            self.on_executed()
        return result


def order_dict(plan: UnwindPlan) -> dict[str, object]:
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
