"""The verdicts of ``hedgetui doctor`` and their report (pure: no I/O).

A check is a list of :class:`Target` (a venue's public feed, an account), each a list of
:class:`Step` in the order they ran; a step that could not run because an earlier one failed
is ``skipped``. Exit code: 0 all ok (or skipped as not applicable), 1 a warning, 2 a failure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from hedgetui import glyphs
from hedgetui.trading.orders import KeyPermissions

EXIT_OK = 0
EXIT_WARN = 1
EXIT_FAIL = 2
WIDTH = 80
WARN_SKEW_S = 1.0  # a clock further off than this is worth fixing before it bites


class Verdict(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class Step:
    """One step: its name (``dns``, ``tcp``, ``tls``, ``upgrade``, ``data``, ``clock``,
    ``keyfile``, ``auth``, ``perms``), verdict, duration and words (what was found; for a
    warning or a failure what went wrong, with ``advice``: what to try)."""

    name: str
    verdict: Verdict
    message: str
    seconds: float | None = None
    advice: str | None = None


@dataclass(frozen=True, slots=True)
class Target:
    """What was checked: ``kind`` "venue" (the public feed) or "account"; its steps."""

    kind: str
    name: str
    venue: str
    where: str
    steps: list[Step] = field(default_factory=list)

    def failed(self) -> bool:
        return any(s.verdict is Verdict.FAIL for s in self.steps)

    def skip_rest(self, names: Sequence[str], because: str) -> None:
        """The steps ``names`` cannot run: ``because`` (the earlier step) failed."""
        for name in names:
            self.steps.append(Step(name, Verdict.SKIPPED, f"skipped: {because} failed"))


# -------------------------------------------------------------------------- single verdicts


@dataclass(frozen=True, slots=True)
class ClockWindow:
    """How far the local clock may be off the venue's for a signed request to be accepted:
    ``behind_s`` (local behind the server) and ``ahead_s``; None: no limit that way."""

    behind_s: float | None
    ahead_s: float | None

    def accepts(self, skew_s: float) -> bool:
        """``skew_s``: local clock minus the venue's (positive: local ahead)."""
        if skew_s < 0 and self.behind_s is not None and -skew_s > self.behind_s:
            return False
        return not (skew_s > 0 and self.ahead_s is not None and skew_s >= self.ahead_s)

    def describe(self) -> str:
        """``-5 s/+1 s`` (behind/ahead), ``±30 s``, ``-30 s`` or ``none``."""
        behind, ahead = self.behind_s, self.ahead_s
        if behind is None and ahead is None:
            return "none"
        if behind == ahead:
            return f"±{behind:g} s"
        parts = [f"-{behind:g} s" if behind is not None else "", f"+{ahead:g} s" if ahead else ""]
        return "/".join(p for p in parts if p)


# rest.md: BitMEX api-expires = now + 30 s (ours); Bybit/Binance accept
# server - recvWindow(5 s) <= ts < server + 1 s; Deribit's ts is valid 60 s; OKX 30 s;
# Kraken signs a nonce (no time window).
CLOCK_WINDOWS: dict[str, ClockWindow] = {
    "bitmex": ClockWindow(30.0, None),
    "bybit": ClockWindow(5.0, 1.0),
    "binance": ClockWindow(5.0, 1.0),
    "deribit": ClockWindow(60.0, 60.0),
    "okx": ClockWindow(30.0, 30.0),
    "kraken": ClockWindow(None, None),
}
CLOCK_ADVICE = "sync the clock (NTP)"


def clock_step(venue: str, skew_s: float, seconds: float, rtt_s: float) -> Step:
    """The local clock against the venue's (``skew_s`` local minus venue, measured with a
    round trip of ``rtt_s``): ok within ~1 s, warn beyond, fail outside the window in which
    the venue accepts a signed request (the skew and the window said)."""
    window = CLOCK_WINDOWS.get(venue, ClockWindow(None, None))
    skew = f"{skew_s:+.3f} s"
    if not window.accepts(skew_s):
        what = f"skew {skew}: outside {venue}'s signed-request window ({window.describe()})"
        return Step("clock", Verdict.FAIL, what, seconds, CLOCK_ADVICE)
    if abs(skew_s) > WARN_SKEW_S:
        what = f"skew {skew} (signed-request window {window.describe()})"
        return Step("clock", Verdict.WARN, what, seconds, CLOCK_ADVICE)
    what = f"skew {skew}, window {window.describe()} (round trip {rtt_s * 1000:.0f} ms)"
    return Step("clock", Verdict.OK, what, seconds)


def permissions_step(configured: str, report: KeyPermissions | None, seconds: float) -> Step:
    """What the key may do against what the account is configured for (``permissions``
    "read" or "trade"): a monitoring key that can trade, or any key that can withdraw (hedgetui
    never does), is a warning; a trading key that cannot trade a failure; a venue that reports
    nothing is ok, said so."""
    if report is None:
        return Step("perms", Verdict.OK, "the venue does not report a key's permissions", seconds)
    can = "can trade" if report.can_trade else "read only"
    if report.can_withdraw:
        can += " and withdraw"
    found = f"configured {configured}, key {can} ({report.detail})"
    if configured == "trade" and not report.can_trade:
        what = f'configured permissions = "trade" but the key is read only ({report.detail})'
        return Step("perms", Verdict.FAIL, what, seconds, "give the key trade rights")
    if configured == "read" and report.can_trade:
        what = f"a key for monitoring {can} ({report.detail})"
        return Step("perms", Verdict.WARN, what, seconds, "use a read-only key here")
    if report.can_withdraw:
        what = f"the key can withdraw ({report.detail}): hedgetui never needs that"
        return Step("perms", Verdict.WARN, what, seconds, "take the withdraw right away")
    return Step("perms", Verdict.OK, found, seconds)


# OpenSSL's X509_V_ERR_* codes (x509_vfy.h) -> which check of the certificate failed, and advice
_TLS_EXPIRED = {9, 10}  # not yet valid, expired
_TLS_HOST = {62, 64}  # hostname / IP address mismatch
_TLS_UNKNOWN_CA = {2, 18, 19, 20, 21}  # self-signed, unknown issuer, cannot verify
TLS_ADVICE = {
    "expired": "check this machine's date",
    "wrong host": "check the URL's host name",
    "unknown CA": "a proxy? set SSL_CERT_FILE",
    "certificate": "a proxy? retry later",
    "protocol": "check the URL's scheme and port",
}


def tls_check(verify_code: int | None) -> str:
    """Which check failed: ``expired``, ``wrong host``, ``unknown CA`` (a certificate that
    did not verify), ``certificate`` (another verification error), else ``protocol`` (the
    handshake itself)."""
    if verify_code in _TLS_EXPIRED:
        return "expired"
    if verify_code in _TLS_HOST:
        return "wrong host"
    if verify_code in _TLS_UNKNOWN_CA:
        return "unknown CA"
    return "certificate" if verify_code else "protocol"


# -------------------------------------------------------------------------- the report


def exit_code(targets: Sequence[Target]) -> int:
    verdicts = {s.verdict for t in targets for s in t.steps}
    if Verdict.FAIL in verdicts:
        return EXIT_FAIL
    if Verdict.WARN in verdicts:
        return EXIT_WARN
    return EXIT_OK


def _clip(text: str, room: int) -> str:
    """``text`` in ``room`` columns, cut with an ellipsis; in ASCII mode its twins first
    (``±`` is ``+/-``), so the line still fits once written."""
    text = glyphs.text(text)
    if len(text) <= room:
        return text
    ellipsis = glyphs.text("…")
    return text[: max(room - len(ellipsis), 0)] + ellipsis


_SHOWN = {Verdict.OK: "ok", Verdict.WARN: "WARN", Verdict.FAIL: "FAIL", Verdict.SKIPPED: "skip"}


def step_line(step: Step, width: int = WIDTH) -> str:
    """``  FAIL tls       12 ms  <what>; try: <advice>`` in ``width`` columns (the words
    clipped, never the advice; ``--json`` has them whole)."""
    ms = "" if step.seconds is None else f"{step.seconds * 1000:.0f} ms"
    head = f"  {_SHOWN[step.verdict]:<4} {step.name:<7} {ms:>7}  "
    tail = glyphs.text(f"; try: {step.advice}") if step.advice else ""
    room = width - len(head) - len(tail)
    if room < 20:  # a long advice: the words first, the advice clipped
        return _clip(head + step.message + tail, width)
    return head + _clip(step.message, room) + tail


def text_report(targets: Sequence[Target], width: int = WIDTH) -> str:
    """One line per target and per step, each at most ``width`` columns; a summary line."""
    lines: list[str] = []
    for target in targets:
        label = f"{target.kind} {target.name}"
        if target.kind == "account":
            label += f" ({target.venue})"
        lines.append(_clip(f"{label}  {target.where}", width))
        lines.extend(step_line(s, width) for s in target.steps)
    code = exit_code(targets)
    counts = _counts(targets)
    summary = ", ".join(f"{n} {v}" for v, n in counts.items() if n)
    verdict = {EXIT_OK: "all good", EXIT_WARN: "warnings", EXIT_FAIL: "failures"}[code]
    lines.append(f"doctor: {verdict} ({summary}); exit {code}")
    return "\n".join(lines) + "\n"


def _counts(targets: Sequence[Target]) -> dict[str, int]:
    counts = {v.value: 0 for v in Verdict}
    for target in targets:
        for step in target.steps:
            counts[step.verdict.value] += 1
    return counts


def json_record(targets: Sequence[Target]) -> dict[str, Any]:
    """The ``--json`` report (keys documented in docs/doctor.md; stable)."""
    return {
        "exit_code": exit_code(targets),
        "counts": _counts(targets),
        "targets": [
            {
                "kind": t.kind,
                "name": t.name,
                "venue": t.venue,
                "where": t.where,
                "steps": [
                    {
                        "step": s.name,
                        "verdict": s.verdict.value,
                        "seconds": None if s.seconds is None else round(s.seconds, 6),
                        "message": s.message,
                        "advice": s.advice,
                    }
                    for s in t.steps
                ],
            }
            for t in targets
        ],
    }
