"""The README and the user guide link only to files that exist, and every guide page is in the site.

`mkdocs build --strict` (in .ci/run) checks the links between the pages of docs/ and their
anchors; this checks, without mkdocs, what it cannot: the README's relative links (README.md is
not part of the site), and every relative link in docs/ too, so a broken one fails the plain
test run as well.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import REPO_DIR

DOCS = REPO_DIR / "docs"
PAGES = sorted(DOCS.glob("*.md"))
# [text](target) and [text](target "title"); images too. Not inside code blocks or code spans.
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`[^`\n]*`")
README_MAX_LINES = 300


def relative_links(markdown: str) -> list[str]:
    """The relative link targets of a Markdown text, without their #anchor."""
    text = CODE_SPAN.sub("", FENCE.sub("", markdown))
    targets = []
    for target in LINK.findall(text):
        if re.match(r"[a-z][a-z0-9+.-]*:", target, re.IGNORECASE) or target.startswith("#"):
            continue  # https:, mailto:, ... and anchors within the same page
        targets.append(target.split("#", 1)[0])
    return targets


def test_relative_links_are_found() -> None:
    text = "[a](docs/x.md#y) [b](https://e.org) [c](#top) ![d](img.png) `[e](no.md)`"
    text += "\n```\n[f](no.md)\n```\n"
    assert relative_links(text) == ["docs/x.md", "img.png"]


@pytest.mark.parametrize(
    "page", [REPO_DIR / "README.md", *PAGES], ids=lambda p: str(p.relative_to(REPO_DIR))
)
def test_every_relative_link_points_to_an_existing_file(page: Path) -> None:
    missing = [t for t in relative_links(page.read_text()) if not (page.parent / t).exists()]
    assert not missing, f"{page.relative_to(REPO_DIR)} links to missing files: {missing}"


def test_the_readme_links_into_every_guide_page() -> None:
    readme = (REPO_DIR / "README.md").read_text()
    linked = {(REPO_DIR / target).resolve() for target in relative_links(readme)}
    assert [p.name for p in PAGES if p.resolve() not in linked] == []


def test_every_guide_page_is_in_the_site_navigation() -> None:
    nav = (REPO_DIR / "mkdocs.yml").read_text()
    in_nav = [p for p in PAGES if re.search(rf":\s*{re.escape(p.name)}\s*$", nav, re.MULTILINE)]
    assert [p.name for p in PAGES if p not in in_nav] == []


def test_the_readme_is_a_front_page() -> None:
    assert len((REPO_DIR / "README.md").read_text().splitlines()) <= README_MAX_LINES


def test_every_screen_capture_has_its_command() -> None:
    """Each ``<!-- capture: NAME -->`` block of the README and docs/ is one that
    ``scripts/screen_captures.py`` knows how to take, so it can be regenerated from the build."""
    import subprocess
    import sys

    run = subprocess.run(
        [sys.executable, str(REPO_DIR / "scripts" / "screen_captures.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    readme = (REPO_DIR / "README.md").read_text()
    captured = re.findall(r"^<!-- capture: ([a-z0-9-]+) -->\n```", readme, re.MULTILINE)
    assert captured, "the README's screen is a regenerated capture"
