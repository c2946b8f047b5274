"""Store saved report files through the same calls a crawl makes (record_page, then
parsers.parse_bytes, then store_report or record_failure). Used by the tests and the bench
to build databases from the shared corpus, and handy to load a folder of saved reports."""
from __future__ import annotations

from pathlib import Path

from storage.store import Store


def store_bytes(store: Store, data: bytes, *, url: str, site_id: str | None = None, name: str | None = None,
                fetched_at: str | None = None, headers: dict | None = None) -> tuple[int | None, str]:
    """Record the fetch, parse, store. Returns (report id, outcome); outcome "failed" when unparseable."""
    import parsers

    store.record_page(url, site_id=site_id, status=200, headers=headers, body=data, kind="report",
                      fetched_at=fetched_at)
    try:
        parsed = parsers.parse_bytes(data, name=name, url=url)
    except parsers.ParseError as e:
        store.record_failure(url, site_id=site_id, status="failed", reason=str(e))
        return None, "failed"
    return store.store_report(parsed, url=url, site_id=site_id, content=data,
                              source_type=parsed.get("source_type") or "html", fetched_at=fetched_at)


def store_file(store: Store, path: str | Path, *, url: str | None = None, site_id: str | None = None,
               fetched_at: str | None = None) -> tuple[int | None, str]:
    path = Path(path)
    return store_bytes(store, path.read_bytes(), url=url or path.resolve().as_uri(), site_id=site_id,
                       name=path.name, fetched_at=fetched_at)
