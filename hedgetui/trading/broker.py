"""Send one planned order safely: never twice, every step in the audit log.

After a lost reply (timeout, dropped connection, 5xx) the order may or may not exist. The
broker then looks it up by its client order id FIRST and only resends (with the SAME id)
when the venue says it has no such order AND a resend cannot double it: nothing executed
yet (throttled), or the venue refuses any reused client id (a duplicate-id rejection on that
resend leads back to the lookup). On Binance, OKX and Deribit a lost reply is followed by
lookups only. So a retry can never place a second order. Every order first passes the gate
(:mod:`hedgetui.trading.order_gate`): refused there, nothing is sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, replace
from typing import Literal

from hedgetui.trading.audit import AuditLog
from hedgetui.trading.order_gate import check_order
from hedgetui.trading.orders import (
    CLIENT_ID_UNIQUE_FOREVER,
    DuplicateClientOrderId,
    OrderRequest,
    OrderResult,
    RateLimited,
    TradingError,
)
from hedgetui.trading.planner import UnwindPlan
from hedgetui.trading.venues.base import VenueClient

ResultStatus = Literal[
    "filled", "partially_filled", "open", "canceled", "rejected", "failed", "dry_run"
]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class UnwindResult:
    plan: UnwindPlan
    status: ResultStatus
    filled_contracts: float = 0.0
    position_after: float | None = None  # signed contracts as the venue reports them after
    order: OrderResult | None = None
    error: str | None = None
    attempts: int = 0

    @property
    def ok(self) -> bool:
        return self.status in ("filled", "dry_run")

    def summary(self) -> str:
        o = self.plan.order
        head = f"{o.side} {o.contracts:g} {o.symbol} on {o.venue}"
        if self.status == "dry_run":
            kind = "reduce-only, " if o.reduce_only else ""
            return f"dry run: would send {head} ({kind}id {o.client_order_id}); nothing sent"
        if self.error:
            return f"{head}: {self.status}: {self.error}"
        after = "" if self.position_after is None else f"; position now {self.position_after:g}"
        return f"{head}: {self.status}, filled {self.filled_contracts:g}{after}"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 4  # status checks / resends after a lost reply
    delays_s: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0)
    fill_polls: int = 5  # lookups while an accepted order is not yet terminal
    fill_poll_s: float = 0.3
    settle_lookups: int = 6  # lookups by client id after Ctrl-C while the order was in flight
    settle_interval_s: float = 0.5
    settle_limit_s: float = 15.0  # the whole lookup after Ctrl-C, however slow the venue

    def delay(self, attempt: int) -> float:
        return self.delays_s[min(attempt, len(self.delays_s) - 1)] if self.delays_s else 0.0


def _status_of(order: OrderResult) -> ResultStatus:
    if order.status == "filled":
        return "filled"
    if order.status == "partially_filled":
        return "partially_filled"
    if order.status == "rejected":
        return "rejected"
    if order.status == "canceled":
        return "partially_filled" if order.filled_contracts else "rejected"
    return "open"


@dataclass(frozen=True, slots=True)
class Settlement:
    """What an interrupted order came to; ``known`` is False when no lookup was answered."""

    result: UnwindResult
    known: bool


@dataclass(slots=True)
class _Lookups:
    """What the lookups after Ctrl-C found so far (kept when the time limit cuts them off)."""

    found: OrderResult | None = None
    answered: bool = False  # at least one lookup got an answer (found or not)
    error: str = ""


class Broker:
    def __init__(
        self,
        client: VenueClient,
        audit: AuditLog,
        *,
        policy: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.client = client
        self.audit = audit
        self.policy = policy or RetryPolicy()
        self.sleep = sleep

    async def execute(self, plan: UnwindPlan) -> UnwindResult:
        order = plan.order
        cid = order.client_order_id
        if (refused := await self._gate(plan)) is not None:
            return refused
        attempts = 1
        self.audit.write("send", attempt=1, client_order_id=cid, order=asdict(order))
        found: OrderResult | None = None
        may_exist = True  # False only while every attempt so far was refused unexecuted
        try:
            found = await self.client.place_order(order)
            self.audit.write("reply", client_order_id=cid, result=asdict(found))
        except DuplicateClientOrderId as exc:
            self.audit.write("reply", client_order_id=cid, error=str(exc), kind="duplicate")
        except RateLimited as exc:
            may_exist = False
            self.audit.write("reply", client_order_id=cid, error=str(exc), kind="rate_limited")
        except TradingError as exc:
            if not exc.retry_safe:
                self.audit.write("reply", client_order_id=cid, error=str(exc), kind="rejected")
                return self._finish(plan, "rejected", None, str(exc), attempts)
            self.audit.write("lost_reply", client_order_id=cid, error=str(exc))
        step = 0
        while found is None and step < self.policy.attempts:
            await self.sleep(self.policy.delay(step))
            step += 1
            try:
                self.audit.write("status_check", client_order_id=cid, attempt=step)
                found = await self.client.order_by_client_id(order)
            except TradingError as exc:
                self.audit.write("status_check_failed", client_order_id=cid, error=str(exc))
                continue
            if found is not None:
                self.audit.write("status_found", client_order_id=cid, result=asdict(found))
                break
            self.audit.write("status_not_found", client_order_id=cid)
            # "Not found" proves nothing once an order may exist: a venue's lookup can lag
            # behind its engine. A resend is safe only when nothing executed yet (every attempt
            # was throttled) or when the venue refuses a client id used by ANY earlier order
            # (BitMEX, Bybit, Kraken: an existing order makes the resend come back "duplicate").
            # Binance and OKX free a filled order's id and Deribit labels are never unique, so
            # there a resend after a lost reply could fill a second time: keep looking instead.
            if may_exist and order.venue not in CLIENT_ID_UNIQUE_FOREVER:
                continue
            attempts += 1
            self.audit.write("retry", attempt=attempts, client_order_id=cid, order=asdict(order))
            try:
                found = await self.client.place_order(order)
                self.audit.write("reply", client_order_id=cid, result=asdict(found))
            except DuplicateClientOrderId as exc:  # it exists after all: look it up again
                may_exist = True
                self.audit.write("reply", client_order_id=cid, error=str(exc), kind="duplicate")
            except TradingError as exc:
                if not exc.retry_safe and not isinstance(exc, RateLimited):
                    self.audit.write("reply", client_order_id=cid, error=str(exc), kind="rejected")
                    return self._finish(plan, "rejected", None, str(exc), attempts)
                may_exist = may_exist or not isinstance(exc, RateLimited)
                self.audit.write("lost_reply", client_order_id=cid, error=str(exc))
        if found is None:
            msg = f"no confirmation after {step} status checks; check order {cid} on {order.venue}"
            return self._finish(plan, "failed", None, msg, attempts)
        polls = 0
        while not found.done and polls < self.policy.fill_polls:
            polls += 1
            if polls > 1 or found.raw_status == "accepted":
                await self.sleep(self.policy.fill_poll_s if polls > 1 else 0.0)
            try:
                latest = await self.client.order_by_client_id(order)
            except TradingError as exc:
                self.audit.write("status_check_failed", client_order_id=cid, error=str(exc))
                continue
            if latest is not None:
                found = latest
                self.audit.write("status", client_order_id=cid, result=asdict(found))
        status = _status_of(found)
        error = found.message or None if status == "rejected" else None
        return self._finish(plan, status, found, error, attempts)

    async def _gate(self, plan: UnwindPlan) -> UnwindResult | None:
        """The order gate (:mod:`hedgetui.trading.order_gate`): a refusal is audited and
        returned as a rejected result with nothing sent; None lets the order go."""
        refusal = await check_order(self.client, plan.order, self.audit)
        if refusal is None:
            return None
        self.audit.write("refused", client_order_id=plan.order.client_order_id, reason=refusal)
        return self._finish(plan, "rejected", None, refusal, 0)

    async def _position_after(self, plan: UnwindPlan) -> float | None:
        try:
            update = await self.client.position(plan.order.symbol, plan.order.contract_size)
        except TradingError as exc:
            self.audit.write("position_check_failed", error=str(exc))
            return None
        return update.contracts

    def _finish(
        self,
        plan: UnwindPlan,
        status: ResultStatus,
        order: OrderResult | None,
        error: str | None,
        attempts: int,
    ) -> UnwindResult:
        result = UnwindResult(
            plan=plan,
            status=status,
            filled_contracts=order.filled_contracts if order else 0.0,
            order=order,
            error=error,
            attempts=attempts,
        )
        return result

    async def run(self, plan: UnwindPlan) -> UnwindResult:
        """execute (+ cancel an order left resting) + the position read back + ``result``."""
        result = await self.execute(plan)
        resting = result.order is not None and not result.order.done
        if resting and result.order is not None and result.status in ("open", "partially_filled"):
            result = await self._give_up(plan, result.order, result.attempts)
        return await self._recorded(result)

    async def _recorded(self, result: UnwindResult, **extra: object) -> UnwindResult:
        """``result`` with the position read back, written as the ``result`` audit entry."""
        plan = result.plan
        after = await self._position_after(plan) if result.status != "failed" else None
        result = replace(result, position_after=after)
        self.audit.write(
            "result",
            client_order_id=plan.order.client_order_id,
            status=result.status,
            filled_contracts=result.filled_contracts,
            position_after=after,
            error=result.error,
            attempts=result.attempts,
            **extra,
        )
        return result

    # ------------------------------------------------------------------ giving up, Ctrl-C

    async def _give_up(self, plan: UnwindPlan, order: OrderResult, attempts: int) -> UnwindResult:
        """Cancel an order the command stops waiting for, and say how it ended."""
        cid = plan.order.client_order_id
        self.audit.write("cancel", client_order_id=cid, order_id=order.order_id)
        problem: str | None = None
        try:
            await self.client.cancel_order(plan.order)
        except TradingError as exc:
            problem = str(exc)
            self.audit.write("cancel_failed", client_order_id=cid, error=problem)
        try:
            latest = await self.client.order_by_client_id(plan.order)
        except TradingError as exc:
            self.audit.write("status_check_failed", client_order_id=cid, error=str(exc))
            latest = None
        if latest is not None:
            order = latest
            self.audit.write("status", client_order_id=cid, result=asdict(order))
        if not order.done:
            venue_id = f" (venue id {order.order_id})" if order.order_id else ""
            why = f": {problem}" if problem else ""
            msg = (
                f"order {cid}{venue_id} is still open on {plan.order.venue} and could not be "
                f"cancelled{why}; cancel it on the venue"
            )
            return self._finish(plan, _status_of(order), order, msg, attempts)
        if order.status == "canceled":
            status: ResultStatus = "partially_filled" if order.filled_contracts else "canceled"
            msg = f"not filled in time: order {cid} cancelled"
            return self._finish(plan, status, order, msg, attempts)
        return self._finish(plan, _status_of(order), order, None, attempts)

    async def _look_up_until_final(self, order: OrderRequest, seen: _Lookups) -> None:
        cid = order.client_order_id
        for attempt in range(self.policy.settle_lookups):
            if attempt:
                await self.sleep(self.policy.settle_interval_s)
            self.audit.write("status_check", client_order_id=cid, attempt=attempt + 1)
            try:
                latest = await self.client.order_by_client_id(order)
            except TradingError as exc:
                seen.error = str(exc)
                self.audit.write("status_check_failed", client_order_id=cid, error=seen.error)
                continue
            seen.answered = True
            if latest is None:
                self.audit.write("status_not_found", client_order_id=cid)
                continue
            seen.found = latest
            self.audit.write("status_found", client_order_id=cid, result=asdict(latest))
            if latest.done:
                return

    async def settle(self, plan: UnwindPlan) -> Settlement:
        """After Ctrl-C while :meth:`execute` ran: the order's outcome, looked up by client id.

        At most ``policy.settle_lookups`` lookups, ``settle_interval_s`` apart, until the
        order is final, and ``settle_limit_s`` in all; one still resting is cancelled. Never
        sends the order again. ``known`` is False when no lookup was answered.
        """
        order = plan.order
        cid = order.client_order_id
        self.audit.write("interrupted", client_order_id=cid, step="execute")
        seen = _Lookups()
        try:
            async with asyncio.timeout(self.policy.settle_limit_s):
                await self._look_up_until_final(order, seen)
        except TimeoutError:
            late = f"no final answer within {self.policy.settle_limit_s:g}s"
            seen.error = f"{late} ({seen.error})" if seen.error else late
            self.audit.write("status_check_failed", client_order_id=cid, error=seen.error)
        found, answered, error = seen.found, seen.answered, seen.error
        if found is not None:
            if found.done:
                status = _status_of(found)
                result = self._finish(plan, status, found, found.message or None, 1)
            else:
                result = await self._give_up(plan, found, 1)
        elif answered:
            msg = f"not placed: {order.venue} has no order with client id {cid}"
            result = self._finish(plan, "failed", None, msg, 1)
        else:
            msg = f"outcome unknown: no lookup answered ({error})"
            result = self._finish(plan, "failed", None, msg, 1)
        result = await self._recorded(result, interrupted=True)
        return Settlement(result, known=found is not None or answered)
