"""Storage: everything the crawl and the parser produce, in one SQLite file for Datasette.

    from storage import Store
    with Store("nianbao.db") as store: ...

See storage/store.py for the writer's API, storage/schema.py for the tables and views,
storage/metadata.yml for what Datasette shows about them.
"""
from storage.store import Store, now

__all__ = ["Store", "now"]
