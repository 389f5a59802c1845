"""Loading settings: defaults, the shipped example, env overrides, sources, paths, locator."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hedgetui.config import (
    AlertSettings,
    ConfigError,
    DisplaySettings,
    FreshnessSettings,
    Settings,
    TradingSettings,
    default_config_path,
    load_settings,
    parse_settings,
    redact_secret_url,
    redact_url,
    resolve_config_path,
)
from hedgetui.config.locate import dotted, key_lines
from hedgetui.domain import VENUES
from tests.conftest import REPO_DIR

EXAMPLE = REPO_DIR / "examples" / "hedgetui.toml"

MINIMAL = """
[display]
theme = "light"

[[hedges]]
name = "core"
coin = "xbt"
venue = "bitmex"
spot = 0.5

[hedges.position]
side = "short"
contracts = 30000
entry = 60000
collateral = 0.5
"""


def test_defaults_without_a_file() -> None:
    settings = load_settings(None, env={})
    assert settings.display == DisplaySettings()
    assert settings.freshness == FreshnessSettings()
    assert settings.alerts == AlertSettings()
    assert settings.trading == TradingSettings()
    assert settings.trading.enabled is False
    assert list(settings.venues) == list(VENUES)
    assert all(v.enabled and not v.testnet and v.ws_url is None for v in settings.venues.values())
    assert settings.hedges == () and settings.accounts == ()
    assert settings.path is None
    assert set(settings.sources.values()) == {"default"}
    assert settings.sources["display.theme"] == "default"
    assert settings.sources["venues.kraken.testnet"] == "default"


def test_shipped_example_describes_the_portfolio() -> None:
    settings = load_settings(EXAMPLE, env={})
    assert settings.path == EXAMPLE
    assert settings.trading.enabled is False
    assert settings.venues["kraken"].enabled is False

    btc = settings.hedge("btc-bitmex")
    assert (btc.venue, btc.symbol, btc.coin) == ("bitmex", "XBTUSD", "BTC")
    assert btc.position is not None and btc.account is None
    pos = btc.position
    assert pos.side == "short"
    # 1x: the collateral in coin equals the contracts' USD value at entry
    assert pos.collateral == pytest.approx(pos.contracts / pos.entry)
    assert btc.alerts.liq_distance_warn_pct == 30.0
    assert btc.alerts.cooldown_s == settings.alerts.cooldown_s  # inherited from [alerts]

    eth = settings.hedge("eth-okx")
    assert eth.target_hedge_ratio == 0.5
    assert eth.spot_total == 18.0
    assert [h.where for h in eth.spot] == ["Ledger", "Coinbase"]
    assert eth.position is not None and eth.position.contract_size == 10.0
    # half of (spot + collateral) is hedged
    held = eth.spot_total + (eth.position.collateral or 0.0)
    hedged_coin = eth.position.contracts * 10.0 / eth.position.entry
    assert hedged_coin / held == pytest.approx(eth.target_hedge_ratio)
    assert eth.alerts == settings.alerts  # no overrides


def test_example_is_heavily_commented_and_its_commented_hedge_is_valid() -> None:
    """Uncommenting the account-based hedge (and its account) must give a valid config too."""
    text = EXAMPLE.read_text()
    comments = sum(1 for line in text.splitlines() if line.lstrip().startswith("#"))
    assert comments > len(text.splitlines()) / 3
    uncommented = []
    in_block = False  # from "# [[accounts]]" / "# [[hedges]]" to the next blank line
    for line in text.splitlines():
        if line.startswith(("# [[accounts]]", "# [[hedges]]")):
            in_block = True
        elif not line.strip():
            in_block = False
        if in_block:
            line = "" if line == "#" else line.removeprefix("# ")
        uncommented.append(line)
    settings = parse_settings("\n".join(uncommented), env={})
    deribit = settings.hedge("btc-deribit")
    assert deribit.account == "deribit-main" and deribit.position is None
    assert deribit.symbol == "BTC-PERPETUAL"
    assert settings.account("deribit-main").api_key_env == "DERIBIT_CLIENT_ID"


@pytest.mark.parametrize("doc_path", ["README.md", "docs/configuration.md"])
def test_docs_minimal_example_is_valid(doc_path: str) -> None:
    doc = (REPO_DIR / doc_path).read_text()
    block = doc.split("```toml\n", 1)[1].split("```", 1)[0]
    hedge = parse_settings(block, env={}).hedge("btc")
    assert (hedge.symbol, hedge.spot_total, hedge.target_hedge_ratio) == ("XBTUSD", 0.5, 1.0)


def test_minimal_config_values_defaults_and_sources() -> None:
    settings = parse_settings(MINIMAL, path=Path("/c.toml"), env={})
    hedge = settings.hedge("core")
    assert hedge.coin == "BTC"  # XBT is BitMEX's name for BTC
    assert hedge.symbol == "XBTUSD"  # the venue's usual inverse perp
    assert hedge.spot_total == 0.5
    assert hedge.hedge_band == 0.05 and hedge.target_hedge_ratio is None
    assert isinstance(hedge.position and hedge.position.contracts, float)  # int accepted
    assert settings.sources["display.theme"] == "file /c.toml:3"
    assert settings.sources["hedges[0].position.entry"] == "file /c.toml:14"
    assert settings.sources["hedges[0].spot[0].amount"] == "file /c.toml:9"
    assert settings.sources["hedges[0].symbol"] == "default"
    assert settings.sources["display.refresh_hz"] == "default"


def test_file_paths_expand_the_home_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/home/tester")
    text = '[alerts]\nlog_path = "~/alerts.jsonl"\n[trading]\naudit_log = "~/audit.jsonl"\n'
    settings = parse_settings(text, env={"HEDGETUI_ALERTS__LOG_PATH": "~/env.jsonl"})
    assert settings.alerts.log_path == "/home/tester/env.jsonl"
    assert settings.trading.audit_log == "/home/tester/audit.jsonl"
    with pytest.raises(ConfigError, match=r"trading\.audit_log: must not be empty"):
        parse_settings('[trading]\naudit_log = ""\n', env={})


def test_settings_are_immutable() -> None:
    settings = parse_settings(MINIMAL, env={})
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.display.theme = "dark"  # type: ignore[misc]
    with pytest.raises(TypeError):
        settings.venues["okx"] = settings.venues["bitmex"]  # type: ignore[index]
    with pytest.raises(TypeError):
        settings.sources["x"] = "y"  # type: ignore[index]


def test_hedge_lookup_names_the_known_hedges() -> None:
    settings = parse_settings(MINIMAL, env={})
    with pytest.raises(KeyError, match="'core'"):
        settings.hedge("nope")


# --------------------------------------------------------------------------- environment


def test_env_overrides_win_over_file_and_are_sourced() -> None:
    env = {
        "HEDGETUI_DISPLAY__THEME": "high-contrast",
        "HEDGETUI_TRADING__ENABLED": "false",
        "HEDGETUI_FRESHNESS__STALE_AFTER_S": "20",
        "HEDGETUI_VENUES__BITMEX__TESTNET": "true",
        "HEDGETUI_ALERTS__APPRISE_URLS": "ntfy://a1b2c3, tgram://1:x/2",
        "HEDGETUI_ALERTS__LOG_PATH": "",
        "HEDGETUI_CONFIG": "/ignored/here.toml",  # a path, not an override
        "HEDGETUI_BITMEX_KEY": "not an override either",
        "HEDGETUI_EVENT_LOOP": "asyncio",  # the event loop's switch (hedgetui/event_loop.py)
    }
    settings = parse_settings(MINIMAL, path=Path("/c.toml"), env=env)
    assert settings.display.theme == "high-contrast"
    assert settings.freshness.stale_after_s == 20.0
    assert settings.venues["bitmex"].testnet is True
    assert settings.trading.enabled is False
    assert settings.alerts.apprise_urls == ("ntfy://a1b2c3", "tgram://1:x/2")
    assert settings.alerts.log_path is None
    assert settings.sources["display.theme"] == "env HEDGETUI_DISPLAY__THEME"
    assert settings.sources["venues.bitmex.testnet"] == "env HEDGETUI_VENUES__BITMEX__TESTNET"
    assert settings.sources["display.refresh_hz"] == "default"


def test_env_override_of_global_alerts_reaches_hedges() -> None:
    settings = parse_settings(MINIMAL, env={"HEDGETUI_ALERTS__COOLDOWN_S": "60"})
    assert settings.hedge("core").alerts.cooldown_s == 60.0


@pytest.mark.parametrize(
    ("var", "value", "fragment"),
    [
        ("HEDGETUI_TRADING__ENABLED", "maybe", "must be true or false, got <5 chars>"),
        ("HEDGETUI_DISPLAY__REFRESH_HZ", "fast", "must be a finite number"),
        ("HEDGETUI_DISPLAY__REFRESH_HZ", "50", "display.refresh_hz: must be <= 10, got <2 chars>"),
        ("HEDGETUI_DISPLAY__SPARKLINE_POINTS", "1.5", "must be a whole number"),
        ("HEDGETUI_DISPLAY__THEMES", "light", "(did you mean 'theme'?)"),
        ("HEDGETUI_DISPLAY__THEME", "blue", "must be one of 'dark', 'light', 'high-contrast'"),
        ("HEDGETUI_DISPALY__THEME", "light", "unknown section 'dispaly'"),
        ("HEDGETUI_VENUES__BITMAX__TESTNET", "true", "(did you mean 'bitmex'?)"),
        ("HEDGETUI_VENUES__OKX", "true", "expected HEDGETUI_VENUES__<VENUE>__<KEY>"),
        ("HEDGETUI_FRESHNESS__DELAYED_AFTER_S", "15", "must be less than stale_after_s"),
    ],
)
def test_env_mistakes_name_the_variable(var: str, value: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_settings(MINIMAL, path=Path("/c.toml"), env={var: value})
    message = str(info.value)
    assert message.startswith(f"env {var}: "), message
    assert fragment in message
    assert info.value.env_var == var


# --------------------------------------------------------------------------- paths


def test_config_path_resolution_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    default = default_config_path()
    assert default == tmp_path / "xdg" / "hedgetui" / "config.toml"
    assert resolve_config_path(None, {}) is None  # the default does not exist yet
    default.parent.mkdir(parents=True)
    default.write_text("")
    assert resolve_config_path(None, {}) == default
    assert resolve_config_path(None, {"HEDGETUI_CONFIG": "/e.toml"}) == Path("/e.toml")
    assert resolve_config_path("/c.toml", {"HEDGETUI_CONFIG": "/e.toml"}) == Path("/c.toml")


def test_load_reports_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_settings(tmp_path / "missing.toml", env={})
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b'[display]\ntheme = "\xff"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(bad, env={})
    assert info.value.line == 2 and "UTF-8" in str(info.value)


def test_empty_file_is_all_defaults(tmp_path: Path) -> None:
    empty = tmp_path / "empty.toml"
    empty.write_text("# nothing yet\n")
    settings = load_settings(empty, env={})
    assert dataclasses.replace(settings, path=None, sources={}) == dataclasses.replace(
        Settings(), sources={}
    )


# --------------------------------------------------------------------------- locator + redaction


def test_key_lines_ignore_syntax_inside_strings_and_count_arrays() -> None:
    text = (
        '[display]\ntheme = "a # [x] = 1"\n'  # 1-2
        'note = """\n[alerts]\nbell = 1\n"""\n'  # 3-6
        "[[hedges]]\n"  # 7
        "spot = [\n  { amount = 1 },\n  { amount = 2, where = 'b]' },\n]\n"  # 8-11
        "[hedges.alerts]\nbell = false\n"  # 12-13
        "[[hedges]]\n[[hedges.spot]]\namount = 3\n"  # 14-16
    )
    lines = {dotted(k): v for k, v in key_lines(text).items()}
    assert lines["display.theme"] == 2
    assert "alerts" not in lines and "display.bell" not in lines
    assert lines["hedges[0].spot[1].where"] == 10
    assert lines["hedges[0].alerts.bell"] == 13
    assert lines["hedges[1]"] == 14
    assert lines["hedges[1].spot[0].amount"] == 16


TOKEN = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789", min_size=12)


@given(token=TOKEN, scheme=st.sampled_from(["tgram", "ntfy", "ntfys", "pover", "discord"]))
def test_apprise_tokens_never_survive_redaction(token: str, scheme: str) -> None:
    for url in (
        f"{scheme}://{token}",
        f"{scheme}://{token}/chat42",
        f"{scheme}://user:{token}@host.example/x",
        f"{scheme}://ntfy.sh/{token}",
        f"{scheme}://{token[:5]}:{token[5:]}/123",
    ):
        shown = redact_secret_url(url)
        assert token not in shown and token[5:] not in shown
        assert shown.startswith(f"{scheme}://")


def test_exchange_urls_keep_host_and_plain_path() -> None:
    assert redact_url("wss://ws.bitmex.com/realtime") == "wss://ws.bitmex.com/realtime"
    assert redact_url("ws://127.0.0.1:8765/ws/api/v2") == "ws://127.0.0.1:8765/ws/api/v2"
    listen_key = "pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1"
    assert redact_url(f"wss://fstream.binance.com/ws/{listen_key}") == (
        "wss://fstream.binance.com/ws/***"
    )
    assert redact_url("https://u:p4ss@api.example.com/v1?token=abc123") == (
        "https://***@api.example.com/v1?token=***"
    )
