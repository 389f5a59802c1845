"""Assemble README.md from the section files in docs/_readme/, in reading order.

Run `python3 docs/assemble_readme.py` after editing a section; README.md is generated.
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = [
    "00-top.md",  # what it is + the two commands
    "10-demo.md",
    "60-dashboard.md",
    "70-alerts.md",
    "80-unwind.md",
    "82-safety.md",
    "85-account-data.md",
    "30-config.md",
    "20-calc.md",
    "40-feeds.md",
    "50-sim.md",
    "55-sim-rest.md",
]
present = {p.name for p in (HERE / "_readme").glob("*.md")}
missing = sorted(present - set(ORDER))
if missing:
    raise SystemExit(f"sections not placed in ORDER: {missing}")
text = "\n\n".join((HERE / "_readme" / name).read_text().strip() for name in ORDER)
(HERE.parent / "README.md").write_text(text + "\n")
print(f"README.md from {len(ORDER)} sections")
