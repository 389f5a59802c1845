"""The carry keys: a hedge's ``carry_since`` (a date) and the funding-trap thresholds."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from hedgetui.config import ConfigError, Settings, load_settings
from tests.conftest import REPO_DIR

HEDGE = """
[[hedges]]
coin = "BTC"
venue = "bitmex"
{since}
[hedges.position]
side = "short"
contracts = 1000
entry = 60000
"""


def _load(tmp_path: Path, since: str, env: dict[str, str] | None = None) -> Settings:
    path = tmp_path / "c.toml"
    path.write_text(HEDGE.format(since=since))
    return load_settings(path, env=env or {})


@pytest.mark.parametrize("text", ["carry_since = 2026-11-01", 'carry_since = "2026-11-01"'])
def test_carry_since_is_a_date(tmp_path: Path, text: str) -> None:
    settings = _load(tmp_path, text)
    assert settings.hedges[0].carry_since == date(2026, 11, 1)
    assert settings.sources["hedges[0].carry_since"] == f"file {tmp_path / 'c.toml'}:5"


def test_carry_since_defaults_to_none_and_a_bad_one_is_one_line(tmp_path: Path) -> None:
    assert _load(tmp_path, "").hedges[0].carry_since is None
    with pytest.raises(ConfigError) as err:
        _load(tmp_path, 'carry_since = "last week"')
    assert str(err.value).endswith(
        'hedges[0].carry_since: must be a date like 2026-11-01, got "last week" (a string)'
    )


def test_funding_trap_defaults_env_and_the_example(tmp_path: Path) -> None:
    settings = _load(tmp_path, "", env={"HEDGETUI_ALERTS__FUNDING_TRAP_USD": "250"})
    alerts = settings.alerts
    assert alerts.funding_trap_apr_pct == 15.0 and alerts.funding_trap_usd == 250.0
    example = load_settings(REPO_DIR / "examples" / "hedgetui.toml", env={})
    assert example.alerts.funding_trap_apr_pct == 15.0
    assert example.hedges[0].carry_since == date(2026, 11, 1)
