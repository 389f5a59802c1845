"""`check-config` refuses a theme that does not ship and warns (exit 1) about an account whose
key variables are unset, naming the variables and never their values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hedgetui.cli import main
from hedgetui.theme_files import SHIPPED_THEMES

ACCOUNT = """
[[accounts]]
name = "okx-main"
venue = "okx"
api_key_env = "HT_CC_KEY"
api_secret_env = "HT_CC_SECRET"
passphrase_env = "HT_CC_PASS"
{extra}
"""


def test_the_shipped_themes_are_the_tcss_files() -> None:
    themes_dir = Path(__file__).resolve().parents[2] / "themes"  # the design's top-level folder
    files = {p.stem for p in themes_dir.glob("*.tcss")} - {"base"}
    assert set(SHIPPED_THEMES) == files
    assert {"dark", "light", "high-contrast"} <= files


@pytest.mark.parametrize(
    "argv",
    [["--theme", "neon", "check-config"], ["check-config", "--theme", "neon"]],
    ids=["global flag", "check-config flag"],
)
def test_an_unknown_theme_is_refused(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("")
    assert main([*argv, str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "unknown theme 'neon'" in err and "high-contrast" in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("theme", ["dark", "light", "high-contrast"])
def test_a_shipped_theme_is_accepted(
    theme: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("")
    assert main(["check-config", "--theme", theme, str(cfg)]) == 0


def _config(tmp_path: Path, extra: str = "") -> Path:
    cfg = tmp_path / "c.toml"
    cfg.write_text(ACCOUNT.format(extra=extra))
    return cfg


@pytest.fixture
def no_keys(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for var in ("HT_CC_KEY", "HT_CC_SECRET", "HT_CC_PASS"):
        monkeypatch.delenv(var, raising=False)
    return monkeypatch


def test_an_account_whose_key_variables_are_unset_warns_with_their_names(
    tmp_path: Path, no_keys: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = _config(tmp_path)
    assert main(["check-config", str(cfg)]) == 1
    out, err = capsys.readouterr()
    assert f"Config {cfg} is valid." in out  # the settings are still shown
    (line,) = err.strip().splitlines()
    assert "warning" in line and "okx-main" in line
    for var in ("HT_CC_KEY", "HT_CC_SECRET", "HT_CC_PASS"):
        assert var in line

    no_keys.setenv("HT_CC_KEY", "k-value-1234")
    no_keys.setenv("HT_CC_SECRET", "s-value-5678")
    assert main(["check-config", str(cfg), "--json"]) == 1  # the passphrase is still missing
    out, err = capsys.readouterr()
    warnings = json.loads(out)["warnings"]
    assert len(warnings) == 1 and "HT_CC_PASS" in warnings[0] and "HT_CC_KEY" not in warnings[0]
    assert "k-value-1234" not in out + err and "s-value-5678" not in out + err

    no_keys.setenv("HT_CC_PASS", "p-value")
    assert main(["check-config", str(cfg)]) == 0
    assert capsys.readouterr().err == ""


def test_a_keyring_fallback_is_not_a_warning_but_a_missing_credentials_file_is(
    tmp_path: Path, no_keys: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check-config", str(_config(tmp_path, 'keyring_service = "ht"'))]) == 0
    capsys.readouterr()
    missing = tmp_path / "nope.toml"
    cfg = _config(tmp_path, f'credentials_file = "{missing}"')
    assert main(["check-config", str(cfg)]) == 1
    assert f"credentials_file {missing} does not exist" in capsys.readouterr().err
