"""Shared test paths. The exchanges' real sample messages live in ../shared beside the repo."""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path

import pytest

from hedgetui.event_loop import LoopFactory, choose_loop

REPO_DIR = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_DIR.parent / "shared"
SAMPLES_DIR = SHARED_DIR / "exchanges" / "samples"
DATA_DIR = SHARED_DIR / "data"

if not SAMPLES_DIR.is_dir():  # pragma: no cover - a broken checkout must fail loudly
    raise RuntimeError(f"the shared exchange samples are missing: {SAMPLES_DIR}")


@pytest.fixture(params=[False, True], ids=["color", "no_color"])
def no_color(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Runs a test with colours and again under ``NO_COLOR`` (Textual's monochrome filter)."""
    if request.param:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    return bool(request.param)


def pytest_asyncio_loop_factories(
    config: pytest.Config, item: pytest.Item
) -> Mapping[str, LoopFactory]:
    """Async tests run on the loop the commands run on (uvloop, unless HEDGETUI_EVENT_LOOP)."""
    name, factory = choose_loop(os.environ)
    return {name: factory}


def pytest_configure(config: pytest.Config) -> None:
    # hedgetui writes logs (alerts, audit, connections) and caches under the XDG dirs: the tests
    # write theirs to a directory of the run's own, never to the user's home (subprocesses
    # inherit it). A test that checks a default path sets its own.
    import tempfile

    xdg = Path(tempfile.mkdtemp(prefix="hedgetui-tests-xdg-"))
    config.add_cleanup(lambda: shutil.rmtree(xdg, ignore_errors=True))
    for name in ("XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        os.environ[name] = str(xdg / name.removeprefix("XDG_").lower())
    config.addinivalue_line(
        "markers",
        "textual_fast: tests one of the dashboard's Textual fast paths (hedgetui.ui.textual_fast):"
        " skipped when they are off (HEDGETUI_TEXTUAL_FAST=0), where Textual's stock path runs",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from hedgetui.ui import textual_fast  # imports textual: only once tests are collected

    if textual_fast.FAST:
        return
    skip = pytest.mark.skip(reason="the Textual fast paths are off (HEDGETUI_TEXTUAL_FAST=0)")
    for item in items:
        if item.get_closest_marker("textual_fast") is not None:
            item.add_marker(skip)
