"""`hedgetui check-config`: exit codes, one-line errors, sources, redaction, no-file defaults."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hedgetui.cli import main
from tests.config.test_config_mistakes import MISTAKES, Mistake
from tests.conftest import REPO_DIR

EXAMPLE = REPO_DIR / "examples" / "hedgetui.toml"
APPRISE_TOKEN = "7311099584:AAHx9cQ2kR"
WS_TOKEN = "lk9Qw2Er4Ty6Ui8Op0As2Df4Gh6Jk8Lz"


@pytest.fixture(autouse=True)
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No HEDGETUI_* variables and an empty user config dir, whatever the caller's shell has."""
    for var in list(os.environ):
        if var.startswith("HEDGETUI_"):
            monkeypatch.delenv(var)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))


@pytest.mark.parametrize("case", MISTAKES, ids=lambda c: c.id)
def test_every_mistake_is_one_line_on_stderr_and_exit_2(
    case: Mistake, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(case.text)
    assert main(["check-config", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1, err
    assert f"{path}:{case.line}: " in err
    if case.key:
        assert f": {case.key}: " in err
    assert case.fragment in err
    assert "Traceback" not in err


def test_subprocess_run_has_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[display]\ntheme = "light"\nrefresh_hz = -1\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEDGETUI_")}
    proc = subprocess.run(
        [sys.executable, "-m", "hedgetui", "check-config", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr == (
        f"hedgetui: config error: {path}:3: display.refresh_hz: must be > 0, got -1\n"
    )


def test_valid_example_prints_every_setting_with_its_source(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEDGETUI_DISPLAY__THEME", "light")
    assert main(["check-config", str(EXAMPLE)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.startswith(f"Config {EXAMPLE} is valid.")
    rows = {line.split()[0]: line for line in out.splitlines()[3:]}
    assert rows["display.theme"].split()[1:] == ['"light"', "env", "HEDGETUI_DISPLAY__THEME"]
    assert rows["trading.enabled"].split()[1:3] == ["false", "line"]
    assert rows["display.sparkline_points"].split()[1:] == ["120", "line", "30"]
    assert rows["venues.bybit.testnet"].split()[1:] == ["false", "default"]
    assert rows["hedges[0].position.contracts"].split()[1] == "65000.0"
    assert rows["hedges[0].alerts.liq_distance_warn_pct"].split()[1] == "30.0"
    # aligned: the value column starts at the same place on every row
    starts = {line.index(line.split()[1], len(line.split()[0])) for line in rows.values()}
    assert len(starts) == 1


def test_config_option_and_env_path_are_used(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "from-env.toml"
    path.write_text('[display]\ntheme = "high-contrast"\n')
    monkeypatch.setenv("HEDGETUI_CONFIG", str(path))
    assert main(["check-config"]) == 0
    out = capsys.readouterr().out
    assert f"Config {path} is valid." in out
    assert '"high-contrast"' in out

    other = tmp_path / "from-option.toml"
    other.write_text('[display]\ntheme = "light"\n')
    assert main(["--config", str(other), "check-config"]) == 0  # --config beats the env var
    assert f"Config {other} is valid." in capsys.readouterr().out

    monkeypatch.setenv("HEDGETUI_CONFIG", str(tmp_path / "missing.toml"))
    assert main(["check-config"]) == 2
    assert capsys.readouterr().err.strip().endswith("missing.toml: no such file")


def test_secrets_in_urls_never_reach_the_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[alerts]\napprise_urls = ["tgram://{APPRISE_TOKEN}/123456", "ntfy://{WS_TOKEN}"]\n'
        f'[venues.binance]\nws_url = "wss://fstream.binance.com/ws/{WS_TOKEN}"\n'
        f'rest_url = "https://user:{WS_TOKEN}@api.example.com/v1"\n'
    )
    monkeypatch.setenv("HEDGETUI_VENUES__OKX__WS_URL", f"wss://ws.okx.com/ws?token={WS_TOKEN}")
    for argv in (["check-config", str(path)], ["check-config", str(path), "--json"]):
        assert main(argv) == 0
        out, err = capsys.readouterr()
        for secret in (APPRISE_TOKEN, APPRISE_TOKEN.split(":")[1], WS_TOKEN):
            assert secret not in out + err
        assert "tgram://***" in out and "wss://fstream.binance.com/ws/***" in out
        assert "wss://ws.okx.com/ws?token=***" in out


def test_no_config_anywhere_shows_searched_paths_and_defaults(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check-config"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("No config file found; showing the defaults. Searched:")
    assert str(tmp_path / "xdg-config" / "hedgetui" / "config.toml") in out
    assert "$HEDGETUI_CONFIG: not set" in out
    theme = next(line for line in out.splitlines() if line.startswith("display.theme"))
    assert theme.split() == ["display.theme", '"dark"', "default"]


def test_json_output_has_value_and_source_per_key(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEDGETUI_FRESHNESS__STALE_AFTER_S", "20")
    assert main(["check-config", str(EXAMPLE), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["path"] == str(EXAMPLE)
    settings = data["settings"]
    assert settings["freshness.stale_after_s"] == {
        "value": 20.0,
        "source": "env HEDGETUI_FRESHNESS__STALE_AFTER_S",
    }
    assert settings["hedges[1].spot[1].where"]["value"] == "Coinbase"
    assert settings["hedges[1].spot[1].where"]["source"].startswith(f"file {EXAMPLE}:")
    assert settings["alerts.apprise_urls"] == {"value": [], "source": "default"}
