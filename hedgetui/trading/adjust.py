"""The adjust planner (pure): a hedge's state + a request -> the exact order, in either direction.

Where :mod:`hedgetui.trading.planner` only reduces a position, this plans an order that moves it
to a target hedge ratio (``to``), by a signed number of contracts (``by``), or back into the
hedge's band (``band``). The rules:

* ``by`` is the change of the SIGNED position (negative = short): ``by=-5000`` sells 5,000
  (a bigger short, more hedge), ``by=+5000`` buys 5,000 (a smaller short). Its size is rounded
  DOWN to the lot: never more than asked.
* ``to`` and ``band`` size a short so that its value at the mark over the coins held (spot +
  collateral + PnL, which a fill at the mark does not change) is the target ratio; the contracts
  are rounded to the NEAREST lot, so the ratio after is within half a lot of the target.
  ``band`` aims at the hedge's ``target_hedge_ratio`` (the middle of the band, not its nearest
  edge: the edge would leave the hedge one tick from leaving the band again), and refuses when
  the ratio is already inside ``target ± hedge_band``. A long has no hedge ratio: ``to`` and
  ``band`` refuse it (``by`` works on either side).
* Never flips: an order that would carry the position through zero to the other side is
  REFUSED (not capped), naming the most that may be bought or sold (to flat). ``to=0`` closes
  the whole short. From flat, ``to``/``band``/a negative ``by`` open a short; a positive ``by``
  (a long) is refused: a hedge is a short.
* ``reduce_only`` exactly when the order shrinks the position.
* An increase is checked against the margin available: the account's figure when there is an
  account (``HedgeState.available_margin``), else the collateral's equity less the initial margin
  of the position held. The increase needs ``added value / leverage`` (+ the taker fee on it),
  at the position's leverage, else ``max_leverage``, else 1x. It is refused with the numbers.
* Limits (:class:`AdjustLimits`): any order moving more than ``max_order_contracts`` or
  ``max_order_usd`` (face value) is refused; an increase whose resulting position has a
  leverage (position value / equity) above ``max_leverage`` or a liquidation distance below
  ``min_liquidation_distance_pct`` is refused. A reduction is never refused for those two: it
  only improves them, and refusing it would block getting safer.

Everything is refused with :class:`~hedgetui.trading.planner.PlanError`, one line naming the
limit and the value; nothing here sends anything. The request and the plan's types, the
hedge's state and the limits are :mod:`hedgetui.trading.adjust_plan`'s.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Literal

from hedgetui.domain import LiquidationState, RiskReport
from hedgetui.risk import InversePosition, assess, harmonic_entry, pnl_coin
from hedgetui.trading.adjust_plan import (
    AdjustLimits,
    AdjustPlan,
    AdjustPreview,
    AdjustRequest,
    HedgeState,
)
from hedgetui.trading.orders import OrderSide
from hedgetui.trading.planner import (
    Instrument,
    PlanError,
    Preview,
    limit_price,
    order_for,
    round_down_to_lot,
)


def held_coin(state: HedgeState) -> float:
    """Coins held: spot + collateral + unrealised PnL at the mark (a fill does not change it)."""
    if state.risk_position is None:
        return state.spot + state.collateral
    pos = state.risk_position
    return state.spot + pos.collateral + pnl_coin(pos, state.mark)


def ratio_of(contracts: float, contract_size: float, mark: float, held: float) -> float | None:
    """Hedge ratio of a signed position: short value over coins held (negative for a long)."""
    if held <= 0:
        return None
    return -contracts * contract_size / mark / held


def round_to_lot(contracts: float, lot: float) -> float:
    """To the nearest lot (half up)."""
    return round(math.floor(contracts / lot + 0.5 + 1e-9) * lot, 10)


def _fmt(value: float) -> str:
    return f"{value:,.10g}"


def _target_position(state: HedgeState, instrument: Instrument, ratio: float, what: str) -> float:
    if not (math.isfinite(ratio) and ratio >= 0):
        raise PlanError(f"{what} must be a hedge ratio >= 0, got {ratio}")
    if state.position > 0:
        raise PlanError(
            "the position is a long, which has no hedge ratio: give a change in contracts (by)"
        )
    held = held_coin(state)
    if held <= 0:
        raise PlanError("no coins held (spot + collateral): a hedge ratio has no meaning")
    contracts = ratio * held * state.mark / instrument.contract_size
    return -round_to_lot(contracts, instrument.lot_size)


def _wanted_position(
    state: HedgeState, instrument: Instrument, request: AdjustRequest, limits: AdjustLimits
) -> tuple[float, float | None]:
    """The signed position after, and the target ratio it aims at (None for ``by``)."""
    strategy = request.strategy
    if strategy == "to":
        assert request.to is not None
        return _target_position(state, instrument, request.to, "the target"), request.to
    if strategy == "band":
        target = limits.target_hedge_ratio
        if target is None:
            raise PlanError("the hedge has no target_hedge_ratio: there is no band to return to")
        band = limits.hedge_band or 0.0
        held = held_coin(state)
        ratio = ratio_of(state.position, instrument.contract_size, state.mark, held)
        if ratio is not None and state.position <= 0 and abs(ratio - target) <= band + 1e-12:
            raise PlanError(
                f"the hedge ratio {ratio:.3f} is inside the band {target:g} ± {band:g}: "
                "nothing to do"
            )
        return _target_position(state, instrument, target, "target_hedge_ratio"), target
    by = float(request.by or 0.0)
    if not math.isfinite(by) or by == 0:
        raise PlanError(f"the change must be a number of contracts other than 0, got {request.by}")
    size = round_down_to_lot(abs(by), instrument.lot_size)
    if size <= 0:
        raise PlanError(
            f"{_fmt(abs(by))} contracts rounds down to 0 with the lot size of "
            f"{instrument.lot_size:g}: nothing to send"
        )
    return round(state.position + math.copysign(size, by), 10), None


def _check_flip(before: float, after: float) -> None:
    if before == 0 and after > 0:
        raise PlanError(
            f"buying {_fmt(after)} from flat would open a long: a hedge is a short "
            "(sell to open one)"
        )
    if before * after < 0:
        side = "buy" if before < 0 else "sell"
        what = "short" if before < 0 else "long"
        raise PlanError(
            f"{side} {_fmt(abs(after - before))} would flip the {what} of {_fmt(abs(before))} "
            f"to the other side: the most is {side} {_fmt(abs(before))} (to flat)"
        )


def _position_after(
    state: HedgeState, instrument: Instrument, after: float
) -> InversePosition | None:
    """The risk engine's position after a fill of ``after - before`` at the mark."""
    if after == 0:
        return None
    before = state.position
    pos = state.risk_position
    size = abs(after)
    side: Literal["long", "short"] = "short" if after < 0 else "long"
    if pos is None:
        base = state.template or InversePosition(
            side=side,
            contracts=0.0,
            contract_size=instrument.contract_size,
            entry=state.mark,
            collateral=0.0,
        )
        return replace(
            base,
            side=side,
            contracts=size,
            contract_size=instrument.contract_size,
            entry=state.mark,
            collateral=max(state.collateral, 0.0),
        )
    if abs(after) > abs(before):  # increase: entry averaged harmonically, as every venue does
        entry = harmonic_entry(((abs(before), pos.entry), (abs(after) - abs(before), state.mark)))
        return replace(pos, contracts=size, entry=entry)
    closed = replace(pos, contracts=abs(before) - size, collateral=0.0)
    realised = pnl_coin(closed, state.mark)
    return replace(pos, contracts=size, collateral=max(pos.collateral + realised, 0.0))


def _leverage_for(state: HedgeState, limits: AdjustLimits) -> float:
    pos = state.risk_position or state.template
    if pos is not None and pos.leverage:
        return pos.leverage
    return limits.max_leverage or 1.0


def _margin_check(
    state: HedgeState, instrument: Instrument, after: float, limits: AdjustLimits
) -> tuple[float, float | None]:
    """(margin the increase needs, margin available), refusing an increase that does not fit."""
    added = abs(after) - abs(state.position)
    if added <= 0:
        return 0.0, None
    leverage = _leverage_for(state, limits)
    pos = state.risk_position or state.template
    fee = pos.fee if pos is not None else 0.0
    value = added * instrument.contract_size / state.mark
    needed = value / leverage + value * fee
    if state.available_margin is not None:
        available = state.available_margin
        source = "the account's available margin"
    else:
        rp = state.risk_position
        if rp is None:
            equity, used = state.collateral, 0.0
        else:
            equity = rp.collateral + pnl_coin(rp, state.mark)
            used = rp.notional_usd / rp.entry / leverage
        available = equity - used
        source = "the collateral's equity less the margin of the position held"
    if needed > available + 1e-12:
        coin = instrument.coin
        raise PlanError(
            f"adding {_fmt(added)} contracts needs {needed:.6g} {coin} of initial margin at "
            f"{leverage:g}x; {max(available, 0.0):.6g} {coin} is available ({source})"
        )
    return needed, available


def _limit_checks(
    state: HedgeState,
    instrument: Instrument,
    qty: float,
    after_report: RiskReport | None,
    leverage_after: float | None,
    increases: bool,
    limits: AdjustLimits,
) -> None:
    scope = limits.scope
    if limits.max_order_contracts is not None and qty > limits.max_order_contracts:
        raise PlanError(
            f"{_fmt(qty)} contracts is above {scope}.max_order_contracts "
            f"({_fmt(limits.max_order_contracts)})"
        )
    usd = qty * instrument.contract_size
    if limits.max_order_usd is not None and usd > limits.max_order_usd:
        raise PlanError(
            f"an order of ${usd:,.0f} is above {scope}.max_order_usd (${limits.max_order_usd:,.0f})"
        )
    if not increases or after_report is None:
        return
    if (
        limits.max_leverage is not None
        and leverage_after is not None
        and leverage_after > limits.max_leverage + 1e-9
    ):
        raise PlanError(
            f"the position after would be at {leverage_after:.2f}x leverage, above "
            f"{scope}.max_leverage ({limits.max_leverage:g})"
        )
    minimum = limits.min_liquidation_distance_pct
    if minimum is None:
        return
    state_after = after_report.liquidation_state
    distance = after_report.liquidation_distance_pct
    if state_after in (LiquidationState.PAST, LiquidationState.BELOW_MAINTENANCE):
        raise PlanError(
            f"the position after would be below maintenance (liquidated), and {scope}."
            f"min_liquidation_distance_pct is {minimum:g}"
        )
    if distance is not None and distance < minimum:
        raise PlanError(
            f"the position after would be liquidated {distance:.2f}% from the mark "
            f"(at {after_report.liquidation_price:,.2f}), below "
            f"{scope}.min_liquidation_distance_pct ({minimum:g})"
        )


def _report(state: HedgeState, pos: InversePosition | None) -> RiskReport | None:
    if pos is None:
        return None
    return assess(
        pos,
        state.mark,
        spot=state.spot,
        funding_rate=state.funding_rate,
        funding_hours=state.funding_hours,
    )


def plan_adjust(
    *,
    hedge: str,
    instrument: Instrument,
    state: HedgeState,
    request: AdjustRequest,
    client_order_id: str,
    limits: AdjustLimits | None = None,
) -> AdjustPlan:
    """The exact order for ``request`` with its preview; :class:`PlanError` when refused."""
    limits = limits or AdjustLimits()
    if not (math.isfinite(state.mark) and state.mark > 0):
        raise PlanError("no mark price: cannot size or preview the order")
    before = float(state.position)
    after, target = _wanted_position(state, instrument, request, limits)
    after = 0.0 if after == 0 else after  # no -0.0
    _check_flip(before, after)
    qty = round(abs(after - before), 10)
    if qty <= 0:
        where = f"ratio {target:g}" if target is not None else "where it is"
        raise PlanError(
            f"the position {_fmt(before)} is already at {where} to the lot "
            f"({instrument.lot_size:g}): nothing to send"
        )
    side: OrderSide = "sell" if after < before else "buy"
    increases = abs(after) > abs(before)
    price = None
    if request.limit_offset_bps is not None:
        price = limit_price(
            state.mark,
            side,
            request.limit_offset_bps,
            instrument.tick_size,
            limits.max_limit_offset_bps,
        )
    before_pos = state.risk_position
    after_pos = _position_after(state, instrument, after)
    before_report = _report(state, before_pos)
    after_report = _report(state, after_pos)
    held = held_coin(state)
    leverage_after = None
    if after_report is not None and after_report.equity_coin > 0:
        leverage_after = after_report.position_value_coin / after_report.equity_coin
    _limit_checks(state, instrument, qty, after_report, leverage_after, increases, limits)
    needed, available = _margin_check(state, instrument, after, limits)
    funding_day = None
    if after_report is not None and after_report.funding_usd is not None:
        funding_day = after_report.funding_usd * 24.0 / state.funding_hours
    elif after_pos is None and state.funding_rate is not None:
        funding_day = 0.0
    preview = AdjustPreview(
        position_before=before,
        position_after=after,
        ratio_before=ratio_of(before, instrument.contract_size, state.mark, held),
        ratio_after=ratio_of(after, instrument.contract_size, state.mark, held),
        before=before_report,
        after=after_report,
        leverage_after=leverage_after,
        margin_needed=needed,
        margin_available=available,
        funding_per_day_usd=funding_day,
        target_ratio=target,
    )
    order = order_for(
        instrument, side, qty, client_order_id, price, not increases, state.margin_mode
    )
    unwind_preview = Preview(before_report, after_report) if before_report is not None else None
    return AdjustPlan(
        hedge=hedge,
        order=order,
        position_before=before,
        position_after=after,
        mark=state.mark,
        preview=unwind_preview,
        adjust=preview,
        strategy=request.strategy,
    )


def suggest(state: HedgeState, instrument: Instrument, limits: AdjustLimits) -> AdjustPlan | None:
    """The order that would bring the hedge back to its target, or None when it is in its band
    (or has no target, or the order would be refused). Computed only; never sent."""
    try:
        return plan_adjust(
            hedge="",
            instrument=instrument,
            state=state,
            request=AdjustRequest(band=True),
            client_order_id="suggestion",
            limits=limits,
        )
    except PlanError:
        return None
