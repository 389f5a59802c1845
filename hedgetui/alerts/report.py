"""Plain-text and JSON renderings of views and alert events for `watch` and `status`.

Stale or missing numbers never print as plain numbers: a value from stale input is
suffixed ``?`` and a missing one prints ``—`` (``null`` in JSON, with ``"stale": true``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

from hedgetui.alerts.model import Alert, AlertEvent, Severity
from hedgetui.domain import (
    LIQUIDATION_WORDS,
    AccountView,
    DashboardView,
    FeedFailure,
    FeedState,
    FeedView,
    Freshness,
    HedgeView,
    LiquidationState,
    RiskReport,
    shown_failure,
)
from hedgetui.risk.report import long_leverage

MISSING = "—"

# Nagios-style exit codes of `hedgetui status`
EXIT_OK, EXIT_WARNING, EXIT_CRITICAL, EXIT_NO_DATA = 0, 1, 2, 3


def hedge_record(h: HedgeView) -> dict[str, object]:
    r = h.report
    return {
        "name": h.name,
        "venue": h.venue,
        "symbol": h.symbol,
        "coin": h.coin,
        "side": h.side,
        "mark": h.mark,
        "index": h.index,
        "net_exposure_coin": None if r is None else r.net_exposure_coin,
        "net_exposure_usd": None if r is None else r.net_exposure_usd,
        "hedge_ratio": None if r is None else r.hedge_ratio,
        "target_hedge_ratio": h.target_hedge_ratio,
        "hedge_band": h.hedge_band,
        "hedge_ratio_in_band": h.hedge_ratio_in_band,
        "suggested_order": None if h.suggestion is None else h.suggestion.record(),
        "equity_coin": None if r is None else r.equity_coin,
        "margin_buffer_coin": None if r is None else r.margin_buffer_coin,
        "margin_buffer_usd": None if r is None else r.margin_buffer_usd,
        "margin_buffer_pct_of_equity": h.margin_buffer_pct_of_equity,
        "liquidation_state": None if r is None else r.liquidation_state.value,
        "liquidation_price": None if r is None else r.liquidation_price,
        "liquidation_distance_pct": None if r is None else r.liquidation_distance_pct,
        "liquidation_distance_usd": None if r is None else r.liquidation_distance_usd,
        "exchange_liquidation_price": h.exchange_liquidation_price,
        "funding_rate": h.funding_rate,
        "funding_apr_pct": h.funding_apr_pct,
        "funding_usd_per_day": h.funding_usd_per_day,
        "next_funding_in_s": h.next_funding_in_s,
        "basis_bps": h.basis_bps,
        "carry": None if h.carry is None else h.carry.record(),
        "stale": h.stale,
        "freshness": {
            "mark": h.mark_freshness.value,
            "index": h.index_freshness.value,
            "funding": h.funding_freshness.value,
            "position": h.position_freshness.value,
        },
    }


def failure_record(failure: FeedFailure | None) -> dict[str, object] | None:
    """``{"kind": "refused", "reason": "connection refused by ...", "code": null,
    "retry_at": <epoch s or null>}``, or None when nothing is wrong."""
    if failure is None:
        return None
    return {
        "kind": failure.kind.value,
        "reason": failure.reason,
        "code": failure.code,
        "retry_at": failure.retry_at,
    }


def feed_record(f: FeedView) -> dict[str, object]:
    return {
        "venue": f.venue,
        "state": f.state.value,
        "freshness": f.freshness.value,
        "last_message_age": f.last_message_age,
        "reconnects": f.reconnects,
        "last_error": f.last_error,
        "failure": failure_record(f.failure),
        "refused": f.refused,  # implausible values kept out of the store (hedgetui.plausibility)
    }


def account_record(a: AccountView) -> dict[str, object]:
    return {
        "name": a.name,
        "venue": a.venue,
        "source": a.source,
        "state": a.state.value,
        "freshness": a.freshness.value,
        "reconnects": a.reconnects,
        "last_error": a.last_error,
        "failure": failure_record(a.failure),
    }


def retry_text(failure: FeedFailure, now: float) -> str:
    """``retry at 22:41:07 (in 12s)``; ``retrying now`` when the time has come; empty when no
    retry is planned (a rejected subscription stays connected)."""
    at = failure.retry_at
    if at is None:
        return ""
    if at <= now:
        return "retrying now"
    stamp = time.strftime("%H:%M:%S", time.localtime(at))
    return f"retry at {stamp} (in {_wait(at - now)})"


def failure_text(failure: FeedFailure, now: float) -> str:
    """The full words: ``connection refused by 127.0.0.1:9; retry at 22:41:07 (in 12s)``."""
    retry = retry_text(failure, now)
    return f"{failure.reason}; {retry}" if retry else failure.reason


def _short_with_retry(failure: FeedFailure, now: float) -> str:
    at = failure.retry_at
    if at is None:
        return failure.short
    return f"{failure.short}, retry in {_wait(max(0.0, at - now))}"


def alert_record(a: Alert) -> dict[str, object]:
    return {
        "key": a.key,
        "rule": a.rule,
        "hedge": a.hedge,
        "venue": a.venue,
        "state": a.state.value,
        "severity": a.severity.value,
        "title": a.title,
        "message": a.message,
        "value": a.value,
        "threshold": a.threshold,
        "since": a.since,
        "acked": a.acked,
        "snoozed_until": a.snoozed_until,
        "no_data": a.no_data,
        "suggested_order": None if a.suggestion is None else a.suggestion.record(),
    }


def status_record(view: DashboardView, alerts: Sequence[Alert]) -> dict[str, object]:
    """``{"type": "status", ...}``: one line of `hedgetui watch --json`."""
    return {
        "type": "status",
        "at": view.at,
        "hedges": [hedge_record(h) for h in view.hedges],
        "feeds": [feed_record(f) for f in view.feeds],
        "accounts": [account_record(a) for a in view.accounts],
        "active_alerts": [a.key for a in alerts if a.state.value == "firing"],
    }


def _num(x: float | None, fmt: str, stale: bool, unit: str = "") -> str:
    if x is None:
        return MISSING
    return f"{x:{fmt}}{unit}{'?' if stale else ''}"


def _liq_distance(r: RiskReport, stale: bool) -> str:
    """``12.3%``, ``-9.6% past liquidation``, ``none (≥10×)``, ``already below maintenance``."""
    state = r.liquidation_state
    if r.liquidation_distance_pct is None:
        return LIQUIDATION_WORDS.get(state, MISSING)
    text = _num(r.liquidation_distance_pct, ".1f", stale, "%")
    return f"{text} {LIQUIDATION_WORDS[state]}" if state is LiquidationState.PAST else text


def hedge_summary(h: HedgeView) -> str:
    """``btc-lev net +1.000 BTC +$60,012 liq 24.9% buf 97% fund -10.9%/yr``."""
    r = h.report
    st = h.stale
    parts = [
        h.name,
        "net",
        _num(None if r is None else r.net_exposure_coin, "+.3f", st, f" {h.coin}"),
        _num(None if r is None else r.net_exposure_usd, "+,.0f", st, " USD"),
        "liq",
        MISSING if r is None else _liq_distance(r, st),
        "buf",
        _num(h.margin_buffer_pct_of_equity, ".0f", st, "%"),
        "fund",
        _num(
            h.funding_apr_pct,
            "+.1f",
            h.funding_freshness in (Freshness.STALE, Freshness.NONE),
            "%/yr",
        ),
    ]
    if st:
        parts.append("STALE" if r is not None else "NO DATA")
    return " ".join(parts)


def status_line(view: DashboardView, alerts: Sequence[Alert]) -> str:
    stamp = time.strftime("%H:%M:%S", time.localtime(view.at))
    hedges = " | ".join(hedge_summary(h) for h in view.hedges) or "no hedges"
    bad = [
        _named(f.venue, shown_failure(f.state, f.failure), view.at)
        for f in view.feeds
        if f.state != FeedState.LIVE
        or f.freshness in (Freshness.STALE, Freshness.NONE)
        or shown_failure(f.state, f.failure)
    ]
    bad += [
        _named(f"account {a.name}", failure, view.at)
        for a in view.accounts
        if (failure := shown_failure(a.state, a.failure)) is not None
    ]
    feeds = f" | feeds stale: {','.join(bad)}" if bad else ""
    firing = [a for a in alerts if a.state.value == "firing"]
    tail = f" | {len(firing)} alert{'s' if len(firing) != 1 else ''} firing" if firing else ""
    return f"{stamp} {hedges}{feeds}{tail}"


def _named(name: str, failure: FeedFailure | None, now: float) -> str:
    """``okx`` or, when it says why, ``okx (refused, retry in 12s)``."""
    return name if failure is None else f"{name} ({_short_with_retry(failure, now)})"


def event_line(event: AlertEvent) -> str:
    stamp = time.strftime("%H:%M:%S", time.localtime(event.at))
    muted = f" (not pushed: {event.suppressed_by})" if event.suppressed_by else ""
    return (
        f"{stamp} ALERT {event.kind.value.upper()} {event.severity.value} "
        f"[{event.key}] {event.message}{muted}"
    )


def exit_code(view: DashboardView, alerts: Sequence[Alert]) -> int:
    """Monitoring exit code: 2 if anything is critical; else 3 if any hedge or needed feed
    has stale or no data (nothing can be vouched for); else 1 on a warning; else 0. Info
    alerts (basis) do not change it."""
    firing = [a for a in alerts if a.state.value == "firing"]
    if any(a.severity == Severity.CRITICAL for a in firing):
        return EXIT_CRITICAL
    needed = {h.venue for h in view.hedges}
    feeds_bad = any(
        f.venue in needed
        and (f.state != FeedState.LIVE or f.freshness in (Freshness.STALE, Freshness.NONE))
        for f in view.feeds
    )
    if any(h.stale or h.report is None for h in view.hedges) or feeds_bad:
        return EXIT_NO_DATA
    if any(a.severity == Severity.WARNING or a.no_data for a in firing):
        return EXIT_WARNING
    return EXIT_OK


_CODE_NAMES = {
    EXIT_OK: "OK",
    EXIT_WARNING: "WARNING",
    EXIT_CRITICAL: "CRITICAL",
    EXIT_NO_DATA: "STALE/NO DATA",
}


def _money(x: float | None, stale: bool) -> str:
    return _num(x, ",.0f", stale, " USD")


def _wait(seconds: float) -> str:
    """A wait until a retry: ``0s``, ``12s``, ``4m05s`` (the backoff is capped at minutes)."""
    s = math.ceil(seconds)
    return f"{s}s" if s < 60 else f"{s // 60}m{s % 60:02d}s"


def _age(seconds: float | None) -> str:
    if seconds is None:
        return MISSING
    s = int(seconds)
    return f"{s // 3600}h{s % 3600 // 60:02d}m" if s >= 3600 else f"{s // 60}m{s % 60:02d}s"


def hedge_block(h: HedgeView) -> list[str]:
    """A few lines per hedge, fitting 80 columns."""
    r, st = h.report, h.stale
    fresh = "STALE" if st else "fresh"
    if h.report is None:
        fresh = "NO DATA"
    mark = _num(h.mark, ",.1f", h.mark_freshness in (Freshness.STALE, Freshness.NONE))
    lines = [f"{h.name}  {h.venue} {h.symbol}  mark {mark}  [{fresh}]"]
    if r is None:
        lines.append("  no risk numbers yet: mark or position missing")
        return lines
    ratio = "hedge ratio " + _num(r.hedge_ratio, ".2f", st)
    leverage = long_leverage(r.hedge_ratio)
    if leverage is not None:  # a long hedges nothing: it has a leverage, not a hedge ratio
        ratio = "lev " + _num(leverage, ".1f", st, "x long")
    if h.target_hedge_ratio is not None:
        band = h.hedge_band or 0.0
        ok = "in band" if h.hedge_ratio_in_band else "OUT OF BAND"
        ratio += f" (target {h.target_hedge_ratio:.2f} ± {band:.2f}, {ok})"
    lines.append(
        f"  net exposure {_num(r.net_exposure_coin, '+.4f', st, ' ' + h.coin)} "
        f"({_num(r.net_exposure_usd, '+,.0f', st, ' USD')})  {ratio}"
    )
    lines.append(
        f"  margin buffer {_num(r.margin_buffer_coin, '.4f', st, ' ' + h.coin)} "
        f"({_money(r.margin_buffer_usd, st)}, "
        f"{_num(h.margin_buffer_pct_of_equity, '.0f', st, '%')} of equity)"
    )
    if r.liquidation_price is None:
        lines.append(f"  liquidation: {_liq_distance(r, st)}")
    else:
        past = r.liquidation_state is LiquidationState.PAST
        lines.append(
            f"  liquidation {_num(r.liquidation_price, ',.1f', st)}  "
            f"{_num(r.liquidation_distance_pct, '.1f', st, '%')}{'' if past else ' away'} "
            f"({_money(r.liquidation_distance_usd, st)})"
            + (f": {LIQUIDATION_WORDS[LiquidationState.PAST]}" if past else "")
        )
    fst = h.funding_freshness in (Freshness.STALE, Freshness.NONE)
    rate = None if h.funding_rate is None else h.funding_rate * 100
    hours = f"/{h.funding_interval_hours:g}h" if h.funding_interval_hours else ""
    sign = "" if h.funding_apr_pct is None else " received" if h.funding_apr_pct >= 0 else " paid"
    lines.append(
        f"  funding {_num(rate, '+.4f', fst, '%')}{hours} "
        f"({_num(h.funding_apr_pct, '+.1f', fst, '%/yr')}{sign}), "
        f"next in {_age(h.next_funding_in_s)}"
    )
    return lines


def status_text(
    view: DashboardView, alerts: Sequence[Alert], code: int, no_data: Sequence[str]
) -> str:
    lines: list[str] = []
    for h in view.hedges:
        lines.extend(hedge_block(h))
    bad = [
        f"{f.venue} {f.state.value}/{f.freshness.value}"
        for f in view.feeds
        if (f.state != FeedState.LIVE or f.freshness != Freshness.FRESH)
        and shown_failure(f.state, f.failure) is None
    ]
    if bad:
        lines.append("feeds not fresh: " + ", ".join(bad))
    for f in view.feeds:
        failure = shown_failure(f.state, f.failure)
        if failure is not None:
            lines.append(f"feed {f.venue} {f.state.value}: {failure_text(failure, view.at)}")
    for a in view.accounts:
        failure = shown_failure(a.state, a.failure)
        if failure is not None:
            words = failure_text(failure, view.at)
            lines.append(f"account {a.name} ({a.venue}) {a.state.value}: {words}")
    if alerts:
        lines.append("alerts:")
        lines.extend(f"  {a.severity.value.upper():8} {a.message}" for a in alerts)
    if no_data:
        lines.append("no data for: " + ", ".join(no_data))
    lines.append(f"status: {_CODE_NAMES.get(code, str(code))} (exit {code})")
    return "\n".join(lines) + "\n"
