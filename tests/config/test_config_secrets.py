"""Config errors never echo a value that may be a secret: any value from an environment
override, any value of a key named like a secret, any value that looks like a key. Such a
value is shown as its length and at most its first two characters."""

from __future__ import annotations

from pathlib import Path

import pytest

from hedgetui.cli import main
from hedgetui.config import ConfigError, parse_settings
from hedgetui.config.redact import masked, secret_key, secret_like

SECRET = "sk_Live_Ab12Cd34Ef56Gh78Ij90"  # 28 characters
MASK = "<28 chars, starts 'sk'>"
PATH = Path("/c.toml")


def _error(text: str, env: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        parse_settings(text, path=PATH, env=env or {})
    return str(info.value)


@pytest.mark.parametrize(
    "var",
    [
        "HEDGETUI_DISPLAY__REFRESH_HZ",  # a float
        "HEDGETUI_DISPLAY__SPARKLINE_POINTS",  # an int
        "HEDGETUI_TRADING__ENABLED",  # a bool
        "HEDGETUI_DISPLAY__THEME",  # a choice
        "HEDGETUI_ALERTS__PENDING_S",
    ],
)
def test_an_environment_value_is_never_echoed(var: str) -> None:
    message = _error("", {var: SECRET})
    assert message.startswith(f"env {var}: ")
    assert SECRET not in message and SECRET[:5] not in message
    assert MASK in message


def test_an_environment_value_that_parses_but_breaks_a_limit_is_masked_too() -> None:
    message = _error("", {"HEDGETUI_DISPLAY__REFRESH_HZ": "12345678"})
    assert "must be <= 10, got <8 chars, starts '12'>" in message
    assert "12345678" not in message
    message = _error("", {"HEDGETUI_FRESHNESS__DELAYED_AFTER_S": "15"})
    assert "must be less than stale_after_s (10), got <2 chars>" in message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        # a key whose name says secret: masked whatever the value looks like
        (f'[alerts]\napprise_urls = "{SECRET}"\n', "must be an array of strings, got " + MASK),
        (
            '[[accounts]]\nname = "a"\nvenue = "bybit"\nkeyring_service = 123456789\n',
            "must be a string, got <9 chars, starts '12'>",
        ),
        # a value that looks like a key, under any key
        (f'[display]\ntheme = "{SECRET}"\n', "must be one of 'dark', 'light'"),
        (f'[[hedges]]\nname = "h"\ncoin = "{SECRET}"\nvenue = "bybit"\nspot = 1\n', "coin"),
        (f'[[hedges]]\nname = "h"\ncoin = "BTC"\nvenue = "{SECRET}"\nspot = 1\n', "venue"),
        (
            f'[[hedges]]\nname = "h"\ncoin = "BTC"\nvenue = "bybit"\nsymbol = "{SECRET}"\n'
            "spot = 1\n",
            "symbol",
        ),
        (f"[venues.{SECRET}]\nenabled = true\n", "unknown venue"),
        (f"[display]\n{SECRET} = 1\n", "unknown key " + MASK + " in [display]"),
        (
            f'[[hedges]]\nname = "h"\ncoin = "BTC"\nvenue = "bybit"\naccount = "{SECRET}"\n'
            "spot = 1\n",
            "no [[accounts]] entry named",
        ),
    ],
)
def test_a_file_value_that_may_be_a_secret_is_masked(text: str, words: str) -> None:
    message = _error(text)
    assert words in message, message
    assert SECRET not in message and SECRET[:5] not in message, message


def test_ordinary_values_are_still_shown() -> None:
    assert 'got "blue" (a string)' in _error('[display]\ntheme = "blue"\n')
    assert "must be <= 10, got 50" in _error("[display]\nrefresh_hz = 50\n")
    assert "got 'DOGE-BTC'" in _error('[[hedges]]\nname = "h"\ncoin = "doge-btc"\nvenue = "x"\n')


def test_check_config_prints_no_secret_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("")
    monkeypatch.setenv("HEDGETUI_ALERTS__APPRISE_TIMEOUT_S", SECRET)
    assert main(["check-config", str(cfg)]) == 2
    out, err = capsys.readouterr()
    assert SECRET not in out + err and MASK in err


def test_the_rules() -> None:
    assert masked(SECRET) == MASK
    assert masked("abc") == "<3 chars>" and masked("x") == "<1 char>"
    assert masked(50.0) == "<2 chars>" and masked(True) == "<4 chars>"
    for key in ("accounts[0].api_key_env", "alerts.apprise_urls", "venues.okx.rest_url", "token"):
        assert secret_key(key), key
    for key in ("display.theme", "hedges[0].coin", "alerts.pending_s", "hedges[0].account"):
        assert not secret_key(key), key
    for value in (SECRET, "3f9a7c21-5b4e-4d1a-9c3e-8f2b6a1d0e7c", "AbCdEfGh12345678"):
        assert secret_like(value), value
    for value in ("btc-lev-2024-q1-desk", "high-contrast", "BTC-PERPETUAL", "a b c d 1 2 3 4"):
        assert not secret_like(value), value
