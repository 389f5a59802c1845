"""`pip install .` (not editable) of the checkout: the wheel carries the themes of the top-level
`themes/` folder as `hedgetui/themes/`, and the installed `hedgetui` starts and finds them.

What `pipx install .` and `uv tool install .` build is this same wheel. The build fetches its
backend (setuptools>=77) from the package index: with no index to reach, the test is skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "setup.py", "README.md", "hedgetui", "themes")
SHIPPED = {"base.tcss", "dark.tcss", "light.tcss", "high-contrast.tcss"}


def _run(argv: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The checkout built into a wheel and installed into a folder of its own."""
    tmp = tmp_path_factory.mktemp("install")
    source = tmp / "src"
    for name in SOURCES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            source.mkdir(exist_ok=True)
            shutil.copy2(origin, source / name)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    built = _run(
        [*pip, "wheel", "--no-deps", "-q", "-w", str(tmp / "wheel"), str(source)], env, tmp
    )
    if built.returncode != 0:
        words = ("No matching distribution", "Could not find a version", "NewConnectionError")
        if any(w in built.stderr for w in words):
            pytest.skip(f"no package index to fetch the build backend from: {built.stderr[-300:]}")
        pytest.fail(built.stderr)
    (wheel,) = (tmp / "wheel").glob("hedgetui-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"hedgetui/themes/{n}" for n in SHIPPED} <= names, sorted(names)
    target = tmp / "site"
    r = _run([*pip, "install", "--no-deps", "-q", "--target", str(target), str(wheel)], env, tmp)
    assert r.returncode == 0, r.stderr
    return target


def _installed_env(target: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEDGETUI_")}
    env["PYTHONPATH"] = str(target)  # before the checkout's editable install, if there is one
    return env


def test_the_installed_command_starts_and_tells_its_version(installed: Path) -> None:
    from importlib.metadata import version

    env = _installed_env(installed)
    script = installed / "bin" / "hedgetui"
    r = _run([sys.executable, str(script), "--version"], env, installed.parent)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert r.stdout.strip() == f"hedgetui {version('hedgetui')}"
    r = _run([sys.executable, str(script), "demo", "--help"], env, installed.parent)
    assert r.returncode == 0 and "--theme" in r.stdout, r.stderr


def test_the_installed_dashboard_finds_its_themes(installed: Path) -> None:
    probe = (
        "import hedgetui.ui.app as app, hedgetui.theme_files as t; "
        "print(t.shipped_dir()); "
        "print(all(__import__('pathlib').Path(p).is_file() for p in app.HedgeApp.CSS_PATH))"
    )
    r = _run([sys.executable, "-c", probe], _installed_env(installed), installed.parent)
    assert r.returncode == 0, r.stderr
    where, found = r.stdout.split()
    assert Path(where) == installed / "hedgetui" / "themes"
    assert found == "True"
