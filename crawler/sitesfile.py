"""The sites file: CSV with header name,level,region_code,url (extra columns are kept)."""
from __future__ import annotations

import csv
from pathlib import Path
from urllib.parse import urlsplit

REQUIRED = ("name", "level", "region_code", "url")
BUNDLED = Path(__file__).resolve().parent / "sites" / "sites.csv"


class SitesError(ValueError):
    """The sites file cannot be used; the message names the file and the line."""


def load_sites(path: str | Path | None = None) -> list[dict]:
    """Rows of the sites file (default: the bundled list), each with its `netloc` added."""
    path = Path(path) if path else BUNDLED
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SitesError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise SitesError(f"{path}: cannot read ({e})") from None
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [h for h in REQUIRED if h not in header]
    if missing:
        raise SitesError(f"{path}: header must include {','.join(REQUIRED)} (missing {','.join(missing)})")
    rows, seen = [], set()
    for lineno, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(row.values()):
            continue
        url = row["url"]
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise SitesError(f"{path}:{lineno}: url {url!r} is not an http(s) address")
        if not row["name"]:
            raise SitesError(f"{path}:{lineno}: empty name")
        if url in seen:
            continue
        seen.add(url)
        row["netloc"] = parts.netloc.lower()
        rows.append(row)
    if not rows:
        raise SitesError(f"{path}: no sites")
    return rows
