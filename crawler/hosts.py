"""Which hosts belong to a site: the registered domain of its URL (www.gushi.gov.cn and
lijizhen.gushi.gov.cn are one site), or for an IP address that exact host and port.

Nothing outside these is ever contacted. The public-suffix list is the one bundled with
tldextract (no download at run time); a name under a suffix the list does not know
(e.g. the reserved .test of the fixture portal) counts its last two labels.
"""
from __future__ import annotations

import ipaddress
from functools import lru_cache
from urllib.parse import urlsplit

import tldextract

_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return False


@lru_cache(maxsize=4096)
def registered_domain(host: str) -> str:
    """gushi.gov.cn for lijizhen.gushi.gov.cn; the host itself for an IP or a bare name."""
    host = host.lower().rstrip(".")
    if _is_ip(host) or "." not in host:
        return host
    ext = _EXTRACT(host)
    if ext.suffix and ext.domain:
        return f"{ext.domain}.{ext.suffix}"
    return ".".join(host.split(".")[-2:])


def site_key(url: str) -> str | None:
    """The key hosts are compared by: 'ip:127.0.0.1:8080' (exact host:port) or 'dom:gushi.gov.cn'.
    None for a URL with no usable host or port (a malformed link)."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return None
    if not host:
        return None
    if _is_ip(host):
        default = 443 if parts.scheme == "https" else 80
        return f"ip:{host}:{port or default}"
    return "dom:" + registered_domain(host)


class HostRules:
    """The hosts a crawl may contact, built from its sites' URLs."""

    def __init__(self, urls) -> None:
        self.keys = {k for k in (site_key(u) for u in urls) if k}

    def allows(self, url: str) -> bool:
        key = site_key(url)
        return key is not None and key in self.keys

    def same_site(self, a: str, b: str) -> bool:
        ka = site_key(a)
        return ka is not None and ka == site_key(b)
