"""Portal-page fixtures generated at test time from the corpus seeds: `built(seeds)` writes them
once per test session into a temporary directory (the `pages` fixture of tests/conftest.py)."""
from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path


@functools.cache
def built(seeds: Path) -> Path:
    """The directory holding every page of templates.PAGES built from `seeds`; removed at exit."""
    from .build import build

    out = Path(tempfile.mkdtemp(prefix="nianbao-pages-"))
    atexit.register(shutil.rmtree, out, ignore_errors=True)
    return build(seeds, out)
