"""Shared test paths. The exchanges' real sample messages live in ../shared beside the repo."""

from __future__ import annotations

from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_DIR.parent / "shared"
SAMPLES_DIR = SHARED_DIR / "exchanges" / "samples"
DATA_DIR = SHARED_DIR / "data"

if not SAMPLES_DIR.is_dir():  # pragma: no cover - a broken checkout must fail loudly
    raise RuntimeError(f"the shared exchange samples are missing: {SAMPLES_DIR}")
