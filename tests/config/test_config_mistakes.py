"""Every kind of config mistake gives one ConfigError naming the key and the line.

Each case marks the line the error must point at with a ``#<-`` comment, so line numbers are
read from the case text, not hard-coded.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from hedgetui.config import ConfigError, parse_settings

HEDGE = """
[[hedges]]
name = "h"
coin = "BTC"
venue = "bitmex"
"""
POSITION = """
[hedges.position]
side = "short"
contracts = 1000
entry = 50000
"""


@dataclass(frozen=True)
class Mistake:
    id: str
    text: str
    key: str | None
    fragment: str

    @property
    def line(self) -> int:
        marked = [i for i, line in enumerate(self.text.splitlines(), 1) if "#<-" in line]
        assert len(marked) == 1, f"case {self.id} must mark exactly one line"
        return marked[0]


MISTAKES = [
    Mistake(
        "unknown-key",
        '[display]\nthemes = "light" #<-\n',
        "display.themes",
        "unknown key 'themes' in [display] (did you mean 'theme'?)",
    ),
    Mistake(
        "unknown-section", '[dispaly] #<-\ntheme = "light"\n', "dispaly", "did you mean 'display'?"
    ),
    Mistake(
        "key-outside-its-table",
        'theme = "light" #<-\n[display]\n',
        "theme",
        "'theme' belongs in the [display] table",
    ),
    Mistake(
        "wrong-type",
        '[display]\nrefresh_hz = "fast" #<-\n',
        "display.refresh_hz",
        'must be a number, got "fast" (a string)',
    ),
    Mistake(
        "bool-is-not-a-number",
        "[alerts]\ncooldown_s = true #<-\n",
        "alerts.cooldown_s",
        "must be a number, got true (a boolean)",
    ),
    Mistake(
        "float-for-int",
        "[display]\nsparkline_points = 1.5 #<-\n",
        "display.sparkline_points",
        "must be a whole number, got 1.5",
    ),
    Mistake(
        "out-of-range",
        "[display]\nrefresh_hz = 50 #<-\n",
        "display.refresh_hz",
        "must be <= 10, got 50",
    ),
    Mistake(
        "bad-choice",
        '[display]\ntheme = "drak" #<-\n',
        "display.theme",
        "must be one of 'dark', 'light', 'high-contrast'",
    ),
    Mistake(
        "unknown-venue-table",
        "[venues.binanse] #<-\nenabled = false\n",
        "venues.binanse",
        "unknown venue 'binanse' (did you mean 'binance'?)",
    ),
    Mistake(
        "unknown-hedge-venue",
        HEDGE.replace('venue = "bitmex"', 'venue = "bitmexx" #<-') + POSITION,
        "hedges[0].venue",
        "unknown venue 'bitmexx' (did you mean 'bitmex'?)",
    ),
    Mistake(
        "negative-contracts",
        HEDGE + POSITION.replace("contracts = 1000", "contracts = -5 #<-"),
        "hedges[0].position.contracts",
        "must be >= 0, got -5",
    ),
    Mistake(
        "negative-entry",
        HEDGE + POSITION.replace("entry = 50000", "entry = -1 #<-"),
        "hedges[0].position.entry",
        "must be > 0, got -1",
    ),
    Mistake(
        "negative-spot",
        HEDGE + POSITION + "[[hedges.spot]]\namount = -0.5 #<-\n",
        "hedges[0].spot[0].amount",
        "must be >= 0, got -0.5",
    ),
    Mistake(
        "negative-spot-shorthand",
        HEDGE + "spot = -2 #<-\n" + POSITION,
        "hedges[0].spot",
        "must be >= 0, got -2",
    ),
    Mistake(
        "side-typo",
        HEDGE + POSITION.replace('side = "short"', 'side = "shrt" #<-'),
        "hedges[0].position.side",
        "(did you mean 'short'?)",
    ),
    Mistake(
        "secret-in-file",
        '[[accounts]]\nname = "a"\nvenue = "bitmex"\napi_secret = "s3cr3tvalue" #<-\n',
        "accounts[0].api_secret",
        "secrets are never stored in the config file",
    ),
    Mistake(
        "secret-anywhere",
        '[display]\npassword = "hunter2hunter2" #<-\n',
        "display.password",
        "environment variable",
    ),
    Mistake("toml-syntax", "[display]\ntheme = dark #<-\n", None, "TOML syntax"),
    Mistake(
        "duplicate-hedge",
        HEDGE + POSITION + HEDGE.replace('name = "h"', 'name = "h" #<-') + POSITION,
        "hedges[1].name",
        "duplicate hedge name 'h' (also hedges[0])",
    ),
    Mistake(
        "missing-account",
        HEDGE + 'account = "main" #<-\n',
        "hedges[0].account",
        "no [[accounts]] entry named 'main'",
    ),
    Mistake(
        "account-venue-mismatch",
        '[[accounts]]\nname = "d"\nvenue = "deribit"\nkeyring_service = "x"\n'
        + HEDGE
        + 'account = "d" #<-\n',
        "hedges[0].account",
        "account 'd' is on deribit but this hedge is on bitmex",
    ),
    Mistake(
        "position-and-account",
        '[[accounts]]\nname = "b"\nvenue = "bitmex"\nkeyring_service = "x"\n'
        + HEDGE
        + 'account = "b" #<-\n'
        + POSITION,
        "hedges[0].account",
        "not both",
    ),
    Mistake(
        "no-position",
        '\n[[hedges]] #<-\ncoin = "BTC"\nvenue = "okx"\n',
        "hedges[0]",
        "needs its futures position",
    ),
    Mistake(
        "missing-coin",
        '[[hedges]] #<-\nvenue = "okx"\n',
        "hedges[0].coin",
        "missing required key 'coin'",
    ),
    Mistake(
        "missing-side",
        HEDGE + "[hedges.position] #<-\ncontracts = 1\nentry = 1\n",
        "hedges[0].position.side",
        "missing required key 'side'",
    ),
    Mistake(
        "hedges-not-array",
        '[hedges] #<-\ncoin = "BTC"\n',
        "hedges",
        "must be an array of tables: write [[hedges]]",
    ),
    Mistake(
        "no-default-symbol",
        HEDGE.replace('"BTC"', '"ETH" #<-') + POSITION,
        "hedges[0].coin",
        "no inverse ETH perpetual on bitmex",
    ),
    Mistake(
        "unknown-symbol",
        HEDGE + 'symbol = "XBTUSDT" #<-\n' + POSITION,
        "hedges[0].symbol",
        "unknown symbol 'XBTUSDT' on bitmex (known: XBTUSD)",
    ),
    Mistake(
        "quanto-symbol",
        HEDGE.replace('"BTC"', '"ETH"') + 'symbol = "ETHUSD" #<-\n' + POSITION,
        "hedges[0].symbol",
        "not an inverse contract",
    ),
    Mistake(
        "symbol-of-another-coin",
        HEDGE.replace('"BTC"', '"ETH" #<-').replace('"bitmex"', '"okx"')
        + 'symbol = "BTC-USD-SWAP"\n'
        + POSITION,
        "hedges[0].coin",
        "okx BTC-USD-SWAP is a BTC contract, but coin = 'ETH'",
    ),
    Mistake(
        "delayed-after-stale",
        "[freshness]\ndelayed_after_s = 12 #<-\nstale_after_s = 10\n",
        "freshness.delayed_after_s",
        "must be less than stale_after_s (10), got 12",
    ),
    Mistake(
        "crit-above-warn",
        "[alerts]\nliq_distance_warn_pct = 5\nliq_distance_crit_pct = 9 #<-\n",
        "alerts.liq_distance_crit_pct",
        "must not be above the warning level",
    ),
    Mistake(
        "hedge-alert-unknown",
        HEDGE + POSITION + "[hedges.alerts]\ncooldown = 60 #<-\n",
        "hedges[0].alerts.cooldown",
        "did you mean 'cooldown_s'?",
    ),
    Mistake(
        "apprise-not-url",
        '[alerts]\napprise_urls = ["just-a-token"] #<-\n',
        "alerts.apprise_urls[0]",
        "not an apprise URL",
    ),
    Mistake(
        "ws-url-scheme",
        '[venues.okx]\nws_url = "https://x.example/ws" #<-\n',
        "venues.okx.ws_url",
        "must start with ws:// or wss://",
    ),
    Mistake(
        "key-in-env-name",
        '[[accounts]]\nname = "a"\nvenue = "bybit"\napi_key_env = "Xk9+2f/Qz==" #<-\n'
        'api_secret_env = "S"\n',
        "accounts[0].api_key_env",
        "not the secret itself",
    ),
    Mistake(
        "okx-needs-passphrase",
        '[[accounts]] #<-\nname = "o"\nvenue = "okx"\napi_key_env = "K"\napi_secret_env = "S"\n',
        "accounts[0].passphrase_env",
        "OKX keys need a passphrase",
    ),
    Mistake(
        "no-credential-source",
        '[[accounts]] #<-\nname = "o"\nvenue = "bybit"\n',
        "accounts[0]",
        "has no credential source",
    ),
]


@pytest.mark.parametrize("case", MISTAKES, ids=lambda c: c.id)
def test_each_mistake_names_key_and_line(case: Mistake) -> None:
    path = Path("/etc/hedgetui/config.toml")
    with pytest.raises(ConfigError) as info:
        parse_settings(case.text, path=path, env={})
    err = info.value
    assert err.key == case.key
    assert err.line == case.line
    assert err.path == path
    message = str(err)
    assert "\n" not in message
    prefix = f"{path}:{case.line}: " + (f"{case.key}: " if case.key else "")
    assert message.startswith(prefix), message
    assert case.fragment in message, message


SECRET_CASES = ("secret-in-file", "secret-anywhere", "key-in-env-name", "ws-url-scheme")


@pytest.mark.parametrize("case", [m for m in MISTAKES if m.id in SECRET_CASES], ids=lambda c: c.id)
def test_secret_looking_values_are_never_echoed(case: Mistake) -> None:
    marked = case.text.splitlines()[case.line - 1]
    value = marked.split('"')[1]  # the quoted value on the line the error points at
    assert len(value) >= 8
    with pytest.raises(ConfigError) as info:
        parse_settings(case.text, env={})
    assert value not in str(info.value)
    assert value[2:-2] not in str(info.value)


def test_toml_syntax_error_keeps_tomllib_line_and_column() -> None:
    text = '[display]\ntheme = "dark"\n\n[alerts\nbell = true\n'
    with pytest.raises(ConfigError) as info:
        parse_settings(text, path=Path("c.toml"))
    assert info.value.line == 4
    assert str(info.value).startswith("c.toml:4: TOML syntax:")
    assert "column" in str(info.value)
