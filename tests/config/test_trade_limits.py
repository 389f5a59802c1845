"""[trading] order limits and their per-hedge overrides in [hedges.trading]."""

from __future__ import annotations

from pathlib import Path

import pytest

from hedgetui.config import ConfigError, TradeLimits, parse_settings
from hedgetui.config.report import setting_rows
from hedgetui.trading.adjust_service import limits_for

TEXT = """
[trading]
max_leverage = 5
max_order_usd = 100000

[[hedges]]
name = "a"
coin = "BTC"
venue = "bitmex"
target_hedge_ratio = 0.5
[hedges.position]
side = "short"
contracts = 1000
entry = 60000
collateral = 1

[[hedges]]
name = "b"
coin = "BTC"
venue = "bitmex"
[hedges.position]
side = "short"
contracts = 1000
entry = 60000
collateral = 1
[hedges.trading]
max_order_contracts = 2000
min_liquidation_distance_pct = 20
"""


def test_defaults_and_the_global_section() -> None:
    assert TradeLimits().max_leverage == 10 and TradeLimits().min_liquidation_distance_pct == 5
    settings = parse_settings(TEXT, env={})
    assert settings.trading.max_leverage == 5 and settings.trading.max_order_usd == 100_000
    a = limits_for(settings, settings.hedge("a"))
    assert (a.max_leverage, a.max_order_usd, a.max_order_contracts) == (5, 100_000, None)
    assert a.target_hedge_ratio == 0.5 and a.hedge_band == 0.05 and a.scope == "trading"


def test_a_hedge_overrides_each_key_and_inherits_the_rest() -> None:
    settings = parse_settings(TEXT, env={})
    b = limits_for(settings, settings.hedge("b"))
    assert (b.max_order_contracts, b.min_liquidation_distance_pct) == (2000, 20)
    assert (b.max_leverage, b.max_order_usd) == (5, 100_000)  # from [trading]
    assert b.scope == "hedges.b.trading"
    rows = {r.key: r.source for r in setting_rows(settings)}
    assert rows["hedges[1].trading.max_order_contracts"].startswith("file line")
    assert "hedges[1].trading.max_leverage" not in rows  # inherited: listed under [trading]
    assert rows["trading.max_leverage"].startswith("file line")


def test_the_environment_sets_the_global_limits() -> None:
    settings = parse_settings(TEXT, env={"HEDGETUI_TRADING__MAX_LEVERAGE": "3"})
    assert settings.trading.max_leverage == 3


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("max_order_contracts = 0", "max_order_contracts"),
        ("max_leverage = -2", "max_leverage"),
        ("max_order_usd = -1", "max_order_usd"),
        ("max_leverag = 3", "max_leverag"),
    ],
)
def test_a_bad_limit_names_the_key_and_the_line(line: str, fragment: str) -> None:
    text = TEXT.replace("max_order_contracts = 2000", line)
    with pytest.raises(ConfigError) as info:
        parse_settings(text, path=Path("/c.toml"), env={})
    assert fragment in str(info.value) and "hedges" in str(info.value)
    assert info.value.line == text.splitlines().index(line) + 1
