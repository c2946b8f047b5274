"""The sites file: CSV with header name,level,region_code,url (extra columns are kept).

A row that cannot be crawled (a scheme other than http/https, no host, a host that is no
host name or IP address, a port outside 1-65535, a URL `urlsplit` cannot read) is reported in
one line naming the file and the line, and skipped: the other sites still run. A file with
no usable row, or without the required header, is an error (SitesError).
"""
from __future__ import annotations

import csv
import ipaddress
import logging
import re
from pathlib import Path
from urllib.parse import urlsplit

REQUIRED = ("name", "level", "region_code", "url")
BUNDLED = Path(__file__).resolve().parent / "sites" / "sites.csv"

log = logging.getLogger(__name__)

# a DNS label: letters, digits, hyphens (underscores occur on intranet names); IDNs are checked
# after their ASCII (punycode) form is made
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")


class SitesError(ValueError):
    """The sites file cannot be used; the message names the file and the line."""


def check_url(url: str) -> str | None:
    """None when `url` is an http(s) address the crawler can fetch, else the reason why not."""
    try:
        parts = urlsplit(url)
        port = parts.port            # raises ValueError for a port out of range or not a number
        host = parts.hostname
    except ValueError as e:
        return f"url {url!r} cannot be read ({e})"
    if parts.scheme not in ("http", "https"):
        return f"url {url!r} is not an http(s) address"
    if not host:
        return f"url {url!r} has no host"
    if port is not None and not 1 <= port <= 65535:
        return f"url {url!r} has port {port}, outside 1-65535"
    if any(c.isspace() for c in url):
        return f"url {url!r} contains white space"
    if "[" in parts.netloc:
        try:
            ipaddress.IPv6Address(host.split("%")[0])
        except ValueError:
            return f"url {url!r} has a bad IPv6 address {host!r}"
        return None
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return f"url {url!r} has a bad host name {host!r}"
    labels = ascii_host.rstrip(".").split(".")
    if len(ascii_host) > 253 or not all(_LABEL.match(label) for label in labels):
        return f"url {url!r} has a bad host name {host!r}"
    return None


def load_sites(path: str | Path | None = None, problems: list[str] | None = None) -> list[dict]:
    """Rows of the sites file (default: the bundled list), each with its `netloc` added.

    A bad row is skipped with a one-line reason ("FILE:LINE: reason; row skipped"): appended
    to `problems` when a list is given, else logged as a warning. Raises SitesError when the
    file cannot be read, lacks the header, or has no usable row."""
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
    rows, seen, skipped = [], set(), []
    for lineno, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(row.values()):
            continue
        url = row["url"]
        reason = check_url(url) or (None if row["name"] else "empty name")
        if reason:
            skipped.append(f"{path}:{lineno}: {reason}; row skipped")
            continue
        if url in seen:
            continue
        seen.add(url)
        row["netloc"] = urlsplit(url).netloc.lower()
        rows.append(row)
    for msg in skipped:
        if problems is not None:
            problems.append(msg)
        else:
            log.warning("bad sites row: %s", msg)
    if not rows:
        first = f" ({skipped[0]})" if skipped else ""
        raise SitesError(f"{path}: no usable sites{first}")
    return rows
