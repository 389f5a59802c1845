"""The pure verdicts of ``hedgetui doctor``: the clock windows, the key permissions, which TLS
check failed, the exit code and the text lines (80 columns, the advice kept)."""

from __future__ import annotations

import pytest

from hedgetui.doctor.server_time import TimeReplyError, server_time_ms
from hedgetui.doctor.verdicts import (
    CLOCK_WINDOWS,
    Step,
    Target,
    Verdict,
    clock_step,
    exit_code,
    json_record,
    permissions_step,
    step_line,
    text_report,
    tls_check,
)
from hedgetui.trading.orders import KeyPermissions


@pytest.mark.parametrize(
    ("venue", "skew", "verdict"),
    [
        ("bybit", 0.4, Verdict.OK),
        ("bybit", -0.9, Verdict.OK),
        ("bybit", -3.0, Verdict.WARN),  # inside recv_window (5 s behind)
        ("bybit", -5.5, Verdict.FAIL),
        ("bybit", 1.2, Verdict.FAIL),  # Bybit refuses a timestamp 1 s ahead of its clock
        ("binance", 1.0, Verdict.FAIL),
        ("okx", 29.0, Verdict.WARN),
        ("okx", -31.0, Verdict.FAIL),
        ("deribit", 59.0, Verdict.WARN),
        ("deribit", 61.0, Verdict.FAIL),
        ("bitmex", -31.0, Verdict.FAIL),  # api-expires 30 s ahead: stale on arrival
        ("bitmex", 3600.0, Verdict.WARN),  # ahead: expires later, still accepted
        ("kraken", 3600.0, Verdict.WARN),  # a nonce: no window, but the clock is wrong
    ],
)
def test_clock_windows(venue: str, skew: float, verdict: Verdict) -> None:
    step = clock_step(venue, skew, 0.01, 0.002)
    assert step.verdict is verdict, step
    if verdict is Verdict.FAIL:
        window = CLOCK_WINDOWS[venue].describe()
        assert step.message == (
            f"skew {skew:+.3f} s: outside {venue}'s signed-request window ({window})"
        )
        assert step.advice == "sync the clock (NTP)"


def test_window_words() -> None:
    assert [CLOCK_WINDOWS[v].describe() for v in ("bybit", "okx", "bitmex", "kraken")] == [
        "-5 s/+1 s",
        "±30 s",
        "-30 s",
        "none",
    ]


def test_permissions() -> None:
    trade = KeyPermissions("bybit", True, "readOnly: 0")
    read = KeyPermissions("bybit", False, "readOnly: 1")
    assert permissions_step("read", read, 0.0).verdict is Verdict.OK
    assert permissions_step("trade", trade, 0.0).verdict is Verdict.OK
    assert permissions_step("read", trade, 0.0).verdict is Verdict.WARN
    assert permissions_step("trade", read, 0.0).verdict is Verdict.FAIL
    both = KeyPermissions("okx", True, 'perm "read_only,trade,withdraw"', True)
    withdraw = permissions_step("trade", both, 0.0)
    assert withdraw.verdict is Verdict.WARN and withdraw.advice == "take the withdraw right away"
    assert withdraw.message.startswith("the key can withdraw (")
    monitoring = permissions_step("read", both, 0.0)
    assert monitoring.verdict is Verdict.WARN
    assert monitoring.message.startswith("a key for monitoring can trade and withdraw (")
    unknown = permissions_step("read", None, 0.0)
    assert unknown.verdict is Verdict.OK and "does not report" in unknown.message


def test_which_tls_check_failed() -> None:
    # OpenSSL's X509_V_ERR_* codes
    assert tls_check(10) == "expired"
    assert tls_check(62) == "wrong host"
    assert tls_check(19) == tls_check(20) == "unknown CA"
    assert tls_check(23) == "certificate"  # revoked
    assert tls_check(None) == "protocol"


def test_exit_code_and_lines() -> None:
    ok = Target("venue", "okx", "okx", "wss://x:443", [Step("dns", Verdict.OK, "x -> 1", 0.01)])
    assert exit_code([ok]) == 0
    warn = Target("venue", "bybit", "bybit", "wss://y:443")
    warn.steps.append(Step("clock", Verdict.WARN, "skew", 0.1, "sync"))
    assert exit_code([ok, warn]) == 1
    fail = Target("venue", "kraken", "kraken", "wss://z:443")
    fail.steps.append(Step("dns", Verdict.FAIL, "name does not resolve: " + "z" * 200, 0.0, "a"))
    fail.skip_rest(("tcp", "tls"), "dns")
    assert exit_code([ok, warn, fail]) == 2
    text = text_report([ok, warn, fail])
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "  FAIL dns        0 ms  name does not resolve: zzz" in text
    assert step_line(fail.steps[0]).endswith("…; try: a")
    assert "  skip tcp              skipped: dns failed" in text.splitlines()
    assert text.splitlines()[-1] == "doctor: failures (1 ok, 1 warn, 1 fail, 2 skipped); exit 2"
    record = json_record([fail])
    assert record["exit_code"] == 2
    assert record["targets"][0]["steps"][0]["message"].endswith("z" * 200)  # whole in JSON


def test_wide_terminal_keeps_the_words() -> None:
    step = Step(
        "tls", Verdict.FAIL, "unknown CA: TLS certificate not trusted: " + "x" * 60, 0.0, "a"
    )
    assert step_line(step, 200).endswith("x" * 60 + "; try: a")
    assert len(step_line(step, 80)) == 80


@pytest.mark.parametrize(
    ("venue", "payload", "ms"),
    [
        ("bitmex", {"name": "BitMEX API", "timestamp": 1700000000123}, 1700000000123),
        ("bybit", {"retCode": 0, "result": {"timeNano": "1700000000123000000"}}, 1700000000123),
        ("binance", {"serverTime": 1700000000123}, 1700000000123),
        ("deribit", {"jsonrpc": "2.0", "result": 1700000000123}, 1700000000123),
        ("okx", {"code": "0", "data": [{"ts": "1700000000123"}]}, 1700000000123),
        ("kraken", {"result": "success", "serverTime": "2023-11-14T22:13:20.123Z"}, 1700000000123),
    ],
)
def test_server_time_replies(venue: str, payload: object, ms: int) -> None:
    assert server_time_ms(venue, payload) == pytest.approx(ms, abs=1)


def test_a_reply_without_a_time_is_said() -> None:
    with pytest.raises(TimeReplyError, match=r"no data\.0\.ts in the reply"):
        server_time_ms("okx", {"code": "50001", "data": []})
    with pytest.raises(TimeReplyError, match="is not a number"):
        server_time_ms("binance", {"serverTime": "soon"})


def test_ascii_mode_lines_still_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    """In ASCII mode ``…`` is ``...`` and ``±`` is ``+/-``: the line is cut for those."""
    from hedgetui import glyphs

    monkeypatch.setattr(glyphs, "ASCII", True)
    step = Step("clock", Verdict.WARN, "skew +2.000 s (window ±30 s) " + "y" * 80, 0.0, "sync")
    line = step_line(step)
    assert len(line) == 80 and line.isascii()
    assert "(window +/-30 s)" in line and line.endswith("...; try: sync")


def test_the_venues_say_whether_a_key_can_withdraw() -> None:
    from hedgetui.trading.venues import bitmex, bybit, deribit, okx

    wallet = {"readOnly": 0, "permissions": {"ContractTrade": ["Order"], "Wallet": ["Withdraw"]}}
    assert bybit.parse_key_permissions(wallet).can_withdraw
    assert "Wallet: ['Withdraw']" in bybit.parse_key_permissions(wallet).detail
    assert not bybit.parse_key_permissions({**wallet, "readOnly": 1}).can_withdraw
    assert okx.parse_key_permissions([{"perm": "read_only,withdraw,trade"}]).can_withdraw
    assert not okx.parse_key_permissions([{"perm": "read_only,trade"}]).can_withdraw
    key = [{"id": "k1", "permissions": ["order", "withdraw"]}, {"id": "k2", "permissions": []}]
    assert (bitmex.parse_key_permissions(key, "k1") or pytest.fail()).can_withdraw
    assert not (bitmex.parse_key_permissions(key, "k2") or pytest.fail()).can_withdraw
    rw = deribit.parse_key_permissions({"scope": "trade:read_write wallet:read_write"})
    assert (
        rw is not None
        and rw.can_withdraw
        and rw.detail == 'scope "trade:read_write wallet:read_write"'
    )
    ro = deribit.parse_key_permissions({"scope": "trade:read_write wallet:read"})
    assert ro is not None and not ro.can_withdraw
