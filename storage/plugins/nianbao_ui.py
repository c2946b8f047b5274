"""The analyst's front end of `nianbao serve`, through Datasette's plugin hooks.

- routes: /-/dashboards (charts with their SQL), /-/body?key=BODY_KEY (a body's timeline),
  /-/original/REPORT_ID (the stored original bytes of a report);
- template variables: the front page's summary, a report's page (templates/row.html), the
  column order of the reports tables (templates/_table.html);
- table cells (templates/_table.html): URLs shown as their host with the full URL on hover, body
  keys linked to the body's page. Done in the template rather than a render_cell hook, which
  pluggy would call for each of the 9,000 cells of a 1,000-row query page (~100 ms).
The data of each page is read in storage/pages.py.
"""
from __future__ import annotations

import sqlite3
from urllib.parse import quote

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

from storage import pages

# Columns the reports tables show first; the others follow in the table's own order.
FIRST_COLUMNS = {
    "reports": ["id", "title", "organ", "province", "city", "county", "township", "year", "format", "status",
                "checks_ok", "checks_failed", "publish_date", "days_late", "source_type", "url"],
    "reports_wide": ["report_id", "title", "organ", "province", "city", "county", "township", "year", "format",
                     "status", "checks_ok", "publish_date", "days_late", "applications_received"],
}
URL_COLUMNS = {"url", "page_url", "source_url"}
MEDIA_TYPES = {"pdf": "application/pdf", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
               "doc": "application/msword"}


def column_order(table: str | None, columns: list) -> list[int]:
    """Indexes of the display columns with the key columns first (identity for other tables)."""
    names = [c["name"] if isinstance(c, dict) else c for c in columns]
    first = FIRST_COLUMNS.get(table or "")
    if not first:
        return list(range(len(names)))
    lead = [0] if names and names[0] == "Link" else []      # Datasette's row-link column stays first
    ranked = sorted((first.index(n), i) for i, n in enumerate(names) if n in first)
    rest = [i for i, n in enumerate(names) if n not in first and i not in lead]
    return lead + [i for _, i in ranked] + rest


def body_url(key: str) -> str:
    return "/-/body?key=" + quote(key, safe="")


# A page runs its search or its filters once per query (rows, count, each facet); with 64 MB
# of pages kept per connection (SQLite's default is 2 MB) the second and later ones find the
# search index and the report rows in memory: the worst search at 10,000 reports went from
# 376 to 208 ms of CPU. Datasette keeps three read connections, so at most ~200 MB.
CACHE_KB = 65536


@hookimpl
def prepare_connection(conn):
    conn.execute(f"PRAGMA cache_size = -{CACHE_KB}")


@hookimpl
def extra_css_urls():
    return ["/nianbao-static/nianbao.css"]


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    async def inner():
        out = {"nianbao_order": column_order, "body_url": body_url, "nianbao_host": pages.host,
               "nianbao_url_columns": URL_COLUMNS}
        if view_name == "index":
            db = datasette.get_database()
            try:
                out["home"] = await pages.home(db)
            except sqlite3.Error:        # not a nianbao database (or one too old to migrate)
                return out
            out["home_db"] = db.name
            out["home_queries"] = (datasette.metadata("queries", database=db.name) or {})
        elif view_name == "row" and table == "reports" and request is not None:
            pks = request.url_vars.get("pks", "")
            if pks.isdigit():
                out["report"] = await pages.report(datasette.get_database(database), int(pks))
        return out
    return inner


async def _dashboards(request, datasette):
    db = datasette.get_database()
    ctx = await pages.dashboards(db, dict(request.args))
    allow_sql = await datasette.permission_allowed(request.actor, "execute-sql", resource=db.name, default=True)
    return Response.html(await datasette.render_template(
        "dashboards.html", {**ctx, "database": db.name, "allow_sql": allow_sql}, request=request))


async def _body(request, datasette):
    key = request.args.get("key") or ""
    db = datasette.get_database()
    ctx = await pages.body(db, key)
    if ctx is None:
        raise NotFound(f"no reports or sites with body_key {key!r}")
    return Response.html(await datasette.render_template("body.html", {**ctx, "database": db.name}, request=request))


def _read_original(path: str, report_id: int) -> tuple[dict, bytes] | None:
    # The database read-only through Store, on a connection of its own: the stored bytes may be
    # larger than the guard's value cap on Datasette's connections.
    from storage.store import Store

    store = Store.open_readonly(path)
    try:
        row = store.report(report_id)
        data = store.blob(row["content_sha256"]) if row and row.get("content_sha256") else None
    finally:
        store.close()
    if row is None or data is None:
        return None
    return {"url": row["url"], "source_type": row["source_type"]}, data


async def _original(request, datasette):
    db = datasette.get_database()
    got = await db.execute_fn(lambda conn: _read_original(db.path, int(request.url_vars["report_id"])))
    if got is None:
        raise NotFound("no stored bytes for this report")
    info, data = got
    name = (info["url"].rstrip("/").rsplit("/", 1)[-1] or "report").split("?")[0]
    # Pages are served as text, never as HTML of our origin: no scripts run, nothing is fetched.
    media = MEDIA_TYPES.get(info["source_type"], "text/plain")
    return Response(data, content_type=media, headers={
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": f"inline; filename*=UTF-8''{quote(name)}"})


# Long-form tables of a million rows and more: their unfiltered pages skip the row count and
# the facets (a full scan each, over a second at 10,000 reports); filtered by a report or a
# rule they count and facet as usual.
BIG_TABLES = ("cells", "cells_labeled", "checks")
_PAGING_ARGS = {"_sort", "_sort_desc", "_next", "_size", "_col", "_nocol", "_labels", "_nocount", "_nofacet"}


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def inner(scope, receive, send):
            if scope.get("type") == "http":
                parts = scope.get("path", "").strip("/").split("/")
                if len(parts) == 2 and parts[1].split(".")[0] in BIG_TABLES:
                    qs = scope.get("query_string", b"").decode("latin-1")
                    keys = {kv.split("=")[0] for kv in qs.split("&") if kv}
                    if keys <= _PAGING_ARGS:
                        scope = {**scope, "query_string": (qs + ("&" if qs else "") + "_nocount=1&_nofacet=1")
                                 .encode("latin-1")}
            await app(scope, receive, send)
        return inner
    return wrap


@hookimpl
def register_routes():
    return [(r"^/-/dashboards$", _dashboards), (r"^/-/body$", _body),
            (r"^/-/original/(?P<report_id>\d+)$", _original)]
