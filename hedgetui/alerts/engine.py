"""The alert lifecycle: pending -> firing -> resolved, with hysteresis, cooldown, severity
escalation, acknowledge, snooze and a global rate limit. Pure: no I/O, time from a clock.

Call ``evaluate(view)`` with each fresh ``DashboardView``; it returns the transitions
(``AlertEvent``) for the sinks. Rules of the game, in one place:

* An alert fires once its condition has held ``pending_s`` (stale-feed and no-data rules
  measure a duration themselves and fire without extra pending time).
* It resolves only when the value is back past the *clear* level (the trigger moved
  ``clear_ratio`` toward safety), never because its input went missing: a firing alert
  whose input is stale stays firing, flagged ``no_data``.
* While firing and not acknowledged it re-notifies every ``cooldown_s``; a re-fire within
  ``cooldown_s`` of the last notification is recorded but not pushed.
* Escalation (warning -> critical) always notifies, clears an acknowledgement and breaks
  a snooze. Snooze mutes an alert for a while and re-arms it (re-notifies) if still true.
* At most ``rate_limit_per_min`` notifications a minute; critical ones bypass the limit.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from hedgetui.alerts.model import (
    Alert,
    AlertEvent,
    AlertState,
    AlertThresholds,
    EventKind,
    Severity,
)
from hedgetui.alerts.rules import (
    NO_DATA,
    Level,
    Observation,
    feed_is_unhealthy,
    feed_observation,
    hedge_has_no_data,
    hedge_observations,
)
from hedgetui.clock import SYSTEM_CLOCK, Clock
from hedgetui.domain import DashboardView

RATE_WINDOW_S = 60.0


class _HedgeSettingsLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def alerts(self) -> AlertThresholds: ...


class SettingsLike(Protocol):
    """What ``AlertEngine.from_settings`` reads from ``hedgetui.config.Settings``."""

    @property
    def alerts(self) -> AlertThresholds: ...
    @property
    def hedges(self) -> tuple[_HedgeSettingsLike, ...]: ...


@dataclass(slots=True)
class _Track:
    obs: Observation
    state: AlertState
    severity: Severity
    since_mono: float
    since_wall: float
    acked: bool = False
    snoozed_until: float | None = None  # monotonic
    no_data: bool = False


class AlertEngine:
    def __init__(
        self,
        defaults: AlertThresholds,
        per_hedge: Mapping[str, AlertThresholds] | None = None,
        *,
        clock: Clock | None = None,
        pending_override_s: float | None = None,
    ) -> None:
        """``defaults``: the global [alerts] settings (feed rules, rate limit, hedges not
        listed in ``per_hedge``). ``pending_override_s=0`` evaluates a one-off snapshot."""
        self._defaults = defaults
        self._per_hedge = dict(per_hedge or {})
        self._clock = clock or SYSTEM_CLOCK
        self._pending_override = pending_override_s
        self._tracks: dict[str, _Track] = {}
        # key -> (monotonic, severity) of the last push; survives resolution (cooldown)
        self._last_notified: dict[str, tuple[float, Severity]] = {}
        self._sent: deque[float] = deque()  # monotonic times of notifications (rate limit)
        self._bad_since: dict[str, float] = {}  # "hedge:x"/"feed:y" -> monotonic
        self._no_data_keys: list[str] = []
        self.suppressed_by_rate_limit = 0

    @classmethod
    def from_settings(
        cls,
        settings: SettingsLike,
        *,
        clock: Clock | None = None,
        pending_override_s: float | None = None,
    ) -> AlertEngine:
        per_hedge = {h.name: h.alerts for h in settings.hedges}
        return cls(settings.alerts, per_hedge, clock=clock, pending_override_s=pending_override_s)

    # ------------------------------------------------------------------ queries

    @property
    def clock(self) -> Clock:
        return self._clock

    def active(self) -> list[Alert]:
        """Pending and firing alerts, most severe first (firing before pending), oldest first."""
        now = self._clock.monotonic()
        out = [self._alert(t, now) for t in self._tracks.values()]
        out.sort(key=lambda a: (a.state != AlertState.FIRING, -a.severity.rank, a.since, a.key))
        return out

    def no_data(self) -> list[str]:
        """Keys of the rules that could not be evaluated at the last ``evaluate`` (no data)."""
        return list(self._no_data_keys)

    def worst_firing(self) -> Severity | None:
        ranks = [t.severity for t in self._tracks.values() if t.state == AlertState.FIRING]
        return max(ranks, key=lambda s: s.rank) if ranks else None

    # ------------------------------------------------------------------ user actions

    def ack(self, key: str) -> bool:
        """Acknowledge a firing alert: no repeats until it resolves (or escalates)."""
        track = self._tracks.get(key)
        if track is None or track.state != AlertState.FIRING:
            return False
        track.acked = True
        return True

    def snooze(self, key: str, seconds: float) -> bool:
        """Mute an active alert for ``seconds``; it re-notifies then if still true."""
        track = self._tracks.get(key)
        if track is None or seconds <= 0:
            return False
        track.snoozed_until = self._clock.monotonic() + seconds
        return True

    # ------------------------------------------------------------------ evaluation

    def evaluate(self, view: DashboardView) -> list[AlertEvent]:
        now = self._clock.monotonic()
        events: list[AlertEvent] = []
        seen: set[str] = set()
        self._no_data_keys = []
        for obs in self._observe(view, now):
            seen.add(obs.key)
            if obs.no_data:
                self._no_data_keys.append(obs.key)
            event = self._step(obs, now)
            if event is not None:
                events.append(event)
        for key in [k for k in self._tracks if k not in seen]:  # hedge/feed gone from view
            track = self._tracks.pop(key)
            if track.state == AlertState.FIRING:
                events.append(self._event(EventKind.RESOLVED, track, now, level_value=None))
        return events

    def _thresholds(self, hedge: str) -> AlertThresholds:
        return self._per_hedge.get(hedge, self._defaults)

    def _bad_for(self, key: str, bad: bool, now: float) -> float:
        if not bad:
            self._bad_since.pop(key, None)
            return 0.0
        return now - self._bad_since.setdefault(key, now)

    def _observe(self, view: DashboardView, now: float) -> Iterable[Observation]:
        for h in view.hedges:
            blind_for = self._bad_for(f"hedge:{h.name}", hedge_has_no_data(h), now)
            yield from hedge_observations(h, self._thresholds(h.name), blind_for)
        for f in view.feeds:
            bad_for = self._bad_for(f"feed:{f.venue}", feed_is_unhealthy(f), now)
            yield feed_observation(f, self._defaults, bad_for)

    def _pending_s(self, obs: Observation) -> float:
        if not obs.uses_pending:
            return 0.0
        if self._pending_override is not None:
            return self._pending_override
        return self._thresholds(obs.hedge or "").pending_s

    def _cooldown_s(self, obs: Observation) -> float:
        return self._thresholds(obs.hedge or "").cooldown_s

    def _step(self, obs: Observation, now: float) -> AlertEvent | None:
        track = self._tracks.get(obs.key)
        if obs.no_data:
            if track is not None and track.state == AlertState.FIRING:
                track.no_data = True  # cannot tell: keep firing, never resolve as if safe
            elif track is not None:
                del self._tracks[obs.key]  # pending needs evidence to go on
            return None
        if track is not None and track.state == AlertState.FIRING:
            return self._step_firing(track, obs, now)
        level = obs.triggered()
        if level is None:
            self._tracks.pop(obs.key, None)
            return None
        if track is None:
            track = _Track(obs, AlertState.PENDING, level.severity, now, self._clock.time())
            self._tracks[obs.key] = track
        track.obs, track.severity = obs, level.severity
        if now - track.since_mono < self._pending_s(obs):
            return None
        track.state = AlertState.FIRING
        track.since_mono, track.since_wall = now, self._clock.time()
        kind = EventKind.NO_DATA if obs.rule == NO_DATA else EventKind.FIRED
        last = self._last_notified.get(obs.key)
        if (
            last is not None
            and now - last[0] < self._cooldown_s(obs)
            and level.severity.rank <= last[1].rank  # a worse re-fire is news: push it
        ):
            return self._event(kind, track, now, level.trigger, suppressed="cooldown")
        if track.snoozed_until is not None and now < track.snoozed_until:
            return self._event(kind, track, now, level.trigger, suppressed="snooze")
        return self._event(kind, track, now, level.trigger)

    def _step_firing(self, track: _Track, obs: Observation, now: float) -> AlertEvent | None:
        track.obs, track.no_data = obs, False
        level = obs.held(track.severity)
        if level is None:
            del self._tracks[obs.key]
            muted = track.snoozed_until is not None and now < track.snoozed_until
            return self._event(
                EventKind.RESOLVED,
                track,
                now,
                obs.clear_level(self._level_of(track, obs)),
                suppressed="snooze" if muted else None,
            )
        if level.severity.rank > track.severity.rank:
            track.severity = level.severity
            track.acked = False  # a new severity needs a new acknowledgement
            if level.severity == Severity.CRITICAL:
                track.snoozed_until = None
            muted = track.snoozed_until is not None and now < track.snoozed_until
            return self._event(
                EventKind.ESCALATED,
                track,
                now,
                level.trigger,
                suppressed="snooze" if muted else None,
            )
        track.severity = level.severity  # de-escalation is quiet
        if track.snoozed_until is not None:
            if now < track.snoozed_until:
                return None
            track.snoozed_until = None  # snooze over and still true: re-arm
            if not track.acked:
                return self._event(EventKind.REPEATED, track, now, level.trigger)
            return None
        pushed = self._last_notified.get(obs.key)
        last = track.since_mono if pushed is None else max(pushed[0], track.since_mono)
        if not track.acked and now - last >= self._cooldown_s(obs):
            return self._event(EventKind.REPEATED, track, now, level.trigger)
        return None

    @staticmethod
    def _level_of(track: _Track, obs: Observation) -> Level:
        for lv in obs.levels:
            if lv.severity == track.severity:
                return lv
        return obs.levels[0]

    def _event(
        self,
        kind: EventKind,
        track: _Track,
        now: float,
        level_value: float | None,
        *,
        suppressed: str | None = None,
    ) -> AlertEvent:
        obs = track.obs
        level = None if kind == EventKind.RESOLVED else self._level_of(track, obs)
        title, message = obs.describe(level)
        if kind == EventKind.RESOLVED:
            title = f"resolved: {title}"
        notify = suppressed is None
        while self._sent and now - self._sent[0] >= RATE_WINDOW_S:
            self._sent.popleft()
        if notify and track.severity != Severity.CRITICAL:
            limit = self._defaults.rate_limit_per_min
            if len(self._sent) >= limit:
                notify, suppressed = False, "rate_limit"
                self.suppressed_by_rate_limit += 1
        if notify:
            self._sent.append(now)
            if kind != EventKind.RESOLVED:
                self._last_notified[obs.key] = (now, track.severity)
        return AlertEvent(
            kind=kind,
            key=obs.key,
            rule=obs.rule,
            severity=track.severity,
            hedge=obs.hedge,
            venue=obs.venue,
            title=title,
            message=message,
            value=obs.value,
            threshold=level_value,
            at=self._clock.time(),
            notify=notify,
            suppressed_by=suppressed,
            suggestion=None if kind == EventKind.RESOLVED else obs.suggestion,
        )

    def _alert(self, t: _Track, now: float) -> Alert:
        title, message = t.obs.describe(self._level_of(t, t.obs))
        snoozed = None
        if t.snoozed_until is not None and t.snoozed_until > now:
            snoozed = self._clock.time() + (t.snoozed_until - now)
        return Alert(
            key=t.obs.key,
            rule=t.obs.rule,
            hedge=t.obs.hedge,
            venue=t.obs.venue,
            state=t.state,
            severity=t.severity,
            title=title,
            message=message,
            value=None if t.no_data else t.obs.value,
            threshold=self._level_of(t, t.obs).trigger,
            since=t.since_wall,
            acked=t.acked,
            snoozed_until=snoozed,
            no_data=t.no_data,
            suggestion=None if t.no_data else t.obs.suggestion,
        )
