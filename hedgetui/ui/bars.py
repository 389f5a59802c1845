"""The dashboard's two one-line bars: the feeds' status bar and the totals across hedges.

The status bar shows every feed's glyph, name, state and data age, and says in a word why a
feed or account stream is down and when it retries, sharing and then dropping words when the
line is too narrow (:func:`status_bar`). The totals bar sums the hedges' money, giving way to
shorter forms before anything would be cut (:func:`totals_bar`). Pure functions of the view.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import NamedTuple

from hedgetui.domain import (
    DashboardView,
    FeedFailure,
    FeedState,
    FeedView,
    Freshness,
    TotalsView,
    shown_failure,
)
from hedgetui.ui import format as fmt
from hedgetui.ui.styled import (
    LABEL,
    STALE_STYLE,
    Line,
    Part,
    as_lines,
    fitted,
    shown_length,
    value_parts,
)


def _feed_glyph(feed: FeedView) -> Part:
    if feed.state is FeedState.LIVE and feed.freshness is Freshness.FRESH:
        return "●", "$success"
    if feed.state is FeedState.LIVE and feed.freshness is Freshness.DELAYED:
        return "●", "$warning"
    if feed.state is FeedState.CONNECTING and feed.freshness is Freshness.NONE:
        return "◌", LABEL
    return "✖", "b $error"


def _feed_parts(feed: FeedView, narrow: bool) -> list[Part]:
    glyph = _feed_glyph(feed)
    state = "" if feed.state is FeedState.LIVE else f" {feed.state.value}"
    age = fmt.age(feed.last_message_age)
    age_style = STALE_STYLE if feed.freshness in (Freshness.STALE, Freshness.NONE) else ""
    gap = " " if narrow else "  "
    name = f"{'' if narrow else ' '}{feed.venue}{state} "
    return [glyph, (name, ""), (age, age_style), (gap, "")]


def retry_words(failure: FeedFailure, now: float) -> str:
    """``12s`` (whole seconds, rounded up: no digits flicker) until the next attempt; ``0s``
    when it is due; empty when none is planned."""
    if failure.retry_at is None:
        return ""
    return fmt.countdown(math.ceil(max(0.0, failure.retry_at - now)))


class _Failed(NamedTuple):
    glyph: Part
    name: str
    failure: FeedFailure
    order: int  # its place among the failed entries (the last fallback words some of them)


def _failed_parts(
    run: Sequence[_Failed], now: float, narrow: bool, level: int, worded: frozenset[int]
) -> list[Part]:
    """``✖okx refused ↻12s`` per entry (level 0); adjacent entries with the same words share
    them, with the earliest retry (1); without the retry (2); the glyph and name only, with the
    words of the entries in ``worded`` (3)."""
    parts: list[Part] = []
    lead = "" if narrow else " "
    gap = " " if narrow else "  "
    shared: list[FeedFailure] = []  # the entries since the last words, sharing the next ones
    for i, (glyph, name, failure, order) in enumerate(run):
        parts += [glyph, (f"{lead}{name}", "")]
        shared.append(failure)
        following = run[i + 1].failure.short if i + 1 < len(run) else None
        if level >= 3:
            words = f" {failure.short}" if order in worded else ""
            parts += [(words, "b $error"), (gap, "")] if words else [(gap, "")]
            continue
        if level >= 1 and following == failure.short:
            parts.append((" ", ""))
            continue
        words = f" {failure.short}"
        retries = [f.retry_at for f in shared if f.retry_at is not None]
        if level <= 1 and retries:
            words += f" ↻{retry_words(replace(failure, retry_at=min(retries)), now)}"
        parts += [(words, "b $error"), (gap, "")]
        shared = []
    return parts


def status_bar(view: DashboardView, width: int = 200) -> list[Line]:
    """Every feed: a coloured glyph, its name, its state when not live, the age of its data;
    a feed or account stream that is down says why in a word and when it retries
    (``✖okx refused ↻12s``). When the line is too narrow for every reason, feeds down for the
    same reason side by side share it, then the retry times go, then the reasons of those that
    do not fit (from the right)."""
    narrow = width < 100
    items: list[list[Part] | _Failed] = []
    failed = 0
    for feed in view.feeds:
        failure = shown_failure(feed.state, feed.failure)
        if failure is None:
            items.append(_feed_parts(feed, narrow))
        else:
            items.append(_Failed(_feed_glyph(feed), feed.venue, failure, failed))
            failed += 1
    for account in view.accounts:
        failure = shown_failure(account.state, account.failure)
        if failure is not None:
            items.append(_Failed(("✖", "b $error"), f"acct {account.name}", failure, failed))
            failed += 1

    def line(level: int, worded: frozenset[int] = frozenset()) -> list[Part]:
        parts: list[Part] = [] if narrow else [("hedgetui ", "b $select")]
        run: list[_Failed] = []
        for item in [*items, []]:
            if isinstance(item, _Failed):
                run.append(item)
                continue
            parts += _failed_parts(run, view.at, narrow, level, worded) + item
            run = []
        return parts

    def fits(parts: list[Part]) -> bool:
        return shown_length(parts) <= width + 1  # the trailing gap may be cut

    for level in range(3):
        parts = line(level)
        if fits(parts):
            return as_lines([parts])
    worded: frozenset[int] = frozenset()
    for index in range(failed):  # the words of as many as fit, left to right
        if fits(line(3, worded | {index})):
            worded |= {index}
    return as_lines([line(3, worded)])


def totals_bar(totals: TotalsView, wide: bool, width: int | None = None) -> list[Line]:
    """Totals across hedges within ``width``: money gives way to ``$14.8k`` forms, then the
    carried funding goes, the amounts per coin show 2 decimals, then go, before anything
    would be cut."""
    stale = totals.stale

    def parts(usd: Callable[..., str], coins: int | None, carried: bool) -> list[Part]:
        """``coins``: the decimals of the amounts per coin (None: no amounts)."""
        out: list[Part] = [("TOTAL ", "b")]
        out += [("net ", LABEL), *value_parts(usd(totals.net_exposure_usd, signed=True), stale)]
        if coins is not None:
            for coin_name, amount in sorted(totals.net_exposure_by_coin.items()):
                amount_text = fmt.coin(amount, decimals=coins)
                out += [(f" {coin_name} ", LABEL), *value_parts(amount_text, stale)]
        out += [("  buffer ", LABEL), *value_parts(usd(totals.margin_buffer_usd), stale)]
        out += [
            ("  fund ", LABEL),
            *value_parts(usd(totals.funding_usd_per_day, signed=True), stale),
        ]
        out += [("/d", LABEL)]
        if carried:
            out += [("  carried ", LABEL), (usd(totals.funding_carried_usd, signed=True), "")]
        if stale:
            out += [("  STALE", "b $warning")]
        return out

    full = parts(fmt.usd, 4, wide)
    if width is None:
        return as_lines([full])
    return as_lines(
        [
            fitted(
                width,
                full,
                parts(fmt.usd_compact, 4, wide),
                parts(fmt.usd_compact, 4, False),
                parts(fmt.usd_compact, 2, False),
                parts(fmt.usd_compact, None, False),
            )
        ]
    )
