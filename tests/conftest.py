"""Shared test fixtures: where the shared corpus lives."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NIANBAO_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus"
FILES = Path(__file__).resolve().parent / "files"


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS} (set NIANBAO_SHARED to the shared folder)")
    return CORPUS


@pytest.fixture(scope="session")
def pages(corpus: Path) -> Path:
    """The portal-page fixtures (tests/page_fixtures: CMS detail templates around corpus seeds),
    generated once per session into a temporary directory."""
    from page_fixtures import built

    return built(corpus / "seeds")
