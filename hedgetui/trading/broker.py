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
from dataclasses import asdict, dataclass
from typing import Literal

from hedgetui.trading.audit import AuditLog
from hedgetui.trading.order_gate import check_order
from hedgetui.trading.orders import (
    CLIENT_ID_UNIQUE_FOREVER,
    DuplicateClientOrderId,
    OrderResult,
    RateLimited,
    TradingError,
)
from hedgetui.trading.planner import UnwindPlan
from hedgetui.trading.venues.base import VenueClient

ResultStatus = Literal["filled", "partially_filled", "open", "rejected", "failed", "dry_run"]
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
            return f"dry run: would send {head} (reduce-only, id {o.client_order_id}); nothing sent"
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
        """execute + read the position back + the final ``result`` audit entry."""
        result = await self.execute(plan)
        after = await self._position_after(plan) if result.status != "failed" else None
        result = UnwindResult(
            plan=result.plan,
            status=result.status,
            filled_contracts=result.filled_contracts,
            position_after=after,
            order=result.order,
            error=result.error,
            attempts=result.attempts,
        )
        self.audit.write(
            "result",
            client_order_id=plan.order.client_order_id,
            status=result.status,
            filled_contracts=result.filled_contracts,
            position_after=after,
            error=result.error,
            attempts=result.attempts,
        )
        return result
