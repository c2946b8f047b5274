"""The CMS families county platforms run on, one module each (trs, hanweb, vsb, gkmlpt,
searchapi, generic), plus the organ-tree strategy in `organs`.

Every module in this package that defines `FAMILY` (a `base.Family`) is a family; the
registry orders them by `priority` and `detect()` picks the first that recognises a page.
Adding a family is adding a file.
"""
from __future__ import annotations

import importlib
import pkgutil

from crawler.cms.base import Family, Page, Step

__all__ = ["Family", "Page", "Step", "FAMILIES", "detect", "by_name"]


def _load() -> list[Family]:
    found = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        fam = getattr(module, "FAMILY", None)
        if isinstance(fam, Family):
            found.append(fam)
    return sorted(found, key=lambda f: (f.priority, f.name))


FAMILIES: list[Family] = _load()


def detect(page: Page) -> Family:
    """The family of a page (generic when no other recognises it)."""
    for fam in FAMILIES:
        if fam.detect(page):
            return fam
    return by_name("generic")


def by_name(name: str) -> Family:
    return next(f for f in FAMILIES if f.name == name)
