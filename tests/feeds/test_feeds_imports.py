"""Parsing alone must not pay for the network stack (``hedgetui decode`` stays light)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO_DIR


def test_adapters_import_without_websockets_and_feed_loads_it_lazily() -> None:
    code = (
        "import sys\n"
        "from hedgetui.feeds import get_adapter\n"
        "get_adapter('okx').parse(b'pong')\n"
        "assert 'websockets' not in sys.modules, 'parsing imported websockets'\n"
        "from hedgetui.feeds import Feed\n"
        "assert 'websockets' in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_DIR, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
