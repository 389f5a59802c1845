"""Assemble README.md from the section files in docs/_readme/ (sorted by name)."""

from pathlib import Path

HERE = Path(__file__).resolve().parent
parts = sorted((HERE / "_readme").glob("*.md"))
text = "\n\n".join(p.read_text().strip() for p in parts) + "\n"
(HERE.parent / "README.md").write_text(text)
print(f"README.md from {len(parts)} parts: {', '.join(p.name for p in parts)}")
