"""Alert value types: severities, lifecycle states, the events the engine emits.

Pure data, no I/O. ``AlertThresholds`` is the read-only view of the config's
``AlertSettings`` the rules and the engine need (a structural protocol, so this package
depends on the config's shape, not on its module).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from hedgetui.domain import SuggestedOrder


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}


class AlertState(StrEnum):
    PENDING = "pending"  # the condition holds, not yet for pending_s
    FIRING = "firing"


class EventKind(StrEnum):
    FIRED = "fired"
    ESCALATED = "escalated"  # warning -> critical: always re-notifies
    REPEATED = "repeated"  # still firing after the cooldown (or after a snooze ran out)
    RESOLVED = "resolved"
    NO_DATA = "no_data"  # a hedge has had no usable data for longer than T


class AlertThresholds(Protocol):
    """The fields of ``hedgetui.config.AlertSettings`` the alert engine reads."""

    @property
    def margin_buffer_warn_pct(self) -> float: ...
    @property
    def margin_buffer_crit_pct(self) -> float: ...
    @property
    def liq_distance_warn_pct(self) -> float: ...
    @property
    def liq_distance_crit_pct(self) -> float: ...
    @property
    def hedge_band_alert(self) -> bool: ...
    @property
    def funding_against_apr_pct(self) -> float: ...
    @property
    def funding_trap_apr_pct(self) -> float: ...
    @property
    def funding_trap_usd(self) -> float: ...
    @property
    def basis_bps(self) -> float: ...
    @property
    def feed_stale_after_s(self) -> float: ...
    @property
    def liq_divergence_pct(self) -> float: ...
    @property
    def pending_s(self) -> float: ...
    @property
    def clear_ratio(self) -> float: ...
    @property
    def cooldown_s(self) -> float: ...
    @property
    def rate_limit_per_min(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Alert:
    """One active alert (pending or firing) as ``engine.active()`` reports it."""

    key: str  # "<rule>:<hedge or venue>"
    rule: str
    hedge: str | None
    venue: str | None
    state: AlertState
    severity: Severity
    title: str
    message: str
    value: float | None
    threshold: float | None
    since: float  # epoch seconds the condition started (pending) or fired (firing)
    acked: bool = False
    snoozed_until: float | None = None  # epoch seconds
    no_data: bool = False  # its input is missing/stale now: cannot tell whether it still holds
    suggestion: SuggestedOrder | None = None  # hedge band: the order that brings it back


@dataclass(frozen=True, slots=True)
class AlertEvent:
    """A lifecycle transition. ``notify`` says whether sinks that push/ring should deliver it
    (False when suppressed by ack, snooze, cooldown or the global rate limit); the log and
    the headless output record every event regardless."""

    kind: EventKind
    key: str
    rule: str
    severity: Severity
    hedge: str | None
    venue: str | None
    title: str
    message: str
    value: float | None
    threshold: float | None
    at: float  # epoch seconds
    notify: bool = True
    suppressed_by: str | None = None  # "rate_limit" | "snooze" | "ack" | "cooldown"
    suggestion: SuggestedOrder | None = None  # hedge band: the order that brings it back

    def to_json(self) -> dict[str, object]:
        """The ``{"type": "alert", ...}`` record of `hedgetui watch --json` and the alert log."""
        return {
            "type": "alert",
            "event": self.kind.value,
            "key": self.key,
            "rule": self.rule,
            "severity": self.severity.value,
            "hedge": self.hedge,
            "venue": self.venue,
            "title": self.title,
            "message": self.message,
            "value": self.value,
            "threshold": self.threshold,
            "at": self.at,
            "notify": self.notify,
            "suppressed_by": self.suppressed_by,
            "suggested_order": None if self.suggestion is None else self.suggestion.record(),
        }
