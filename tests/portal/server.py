"""A loopback fixture portal: several virtual government sites, each its own server on
127.0.0.1:<port>, counting every request and honouring conditional headers.

Only ever binds 127.0.0.1. Routes are static bodies (with ETag / Last-Modified, answering
304 to a matching If-None-Match / If-Modified-Since) or callables for the quirky pages.
"""
from __future__ import annotations

import hashlib
import socket
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import parse_qsl, urlsplit

Answer = tuple[int, dict, bytes]


@dataclass
class Hit:
    site: str
    method: str
    path: str            # path with query
    headers: dict
    body: bytes
    at: float

    @property
    def conditional(self) -> bool:
        return "If-None-Match" in self.headers or "If-Modified-Since" in self.headers


@dataclass
class Route:
    body: bytes = b""
    ctype: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict = field(default_factory=dict)
    fn: Callable[..., Answer] | None = None
    validators: bool = True
    modified: float = field(default_factory=lambda: time.time() - 86400)

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:16] + '"'


class Site:
    def __init__(self, portal: "Portal", name: str) -> None:
        self.portal = portal
        self.name = name
        self.routes: dict[str, Route] = {}
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.site = self
        self.port = self.server.server_address[1]
        self.netloc = f"127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, name=f"portal-{name}", daemon=True)

    def url(self, path: str = "/") -> str:
        return f"http://{self.netloc}{path}"

    def page(self, path: str, body: str | bytes, *, ctype: str = "text/html; charset=utf-8",
             status: int = 200, headers: dict | None = None, validators: bool = True,
             encoding: str = "utf-8") -> Route:
        data = body.encode(encoding, "xmlcharrefreplace") if isinstance(body, str) else body
        old = self.routes.get(path)
        route = Route(data, ctype, status, headers or {}, validators=validators)
        if old is not None and old.body == data:
            route.modified = old.modified
        self.routes[path] = route
        return route

    def fn(self, path: str, fn: Callable[..., Answer]) -> None:
        self.routes[path] = Route(fn=fn)

    def remove(self, path: str) -> None:
        self.routes.pop(path, None)

    def hits(self, path: str | None = None, method: str | None = None) -> list[Hit]:
        return [h for h in self.portal.log if h.site == self.name and (path is None or h.path == path)
                and (method is None or h.method == method)]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    site: Site


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet
        pass

    def _serve(self, method: str) -> None:
        site = self.server.site
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        hit = Hit(site.name, method, self.path, dict(self.headers.items()), body, time.time())
        with site.portal.lock:
            site.portal.log.append(hit)
        parts = urlsplit(self.path)
        route = site.routes.get(self.path) or site.routes.get(parts.path)
        if route is None:
            status, headers, data = 404, {"Content-Type": "text/html; charset=utf-8"}, "<html><body>404 页面不存在</body></html>".encode()
        elif route.fn is not None:
            form = dict(parse_qsl(body.decode("utf-8", "replace"))) if body else {}
            status, headers, data = route.fn(method=method, query=dict(parse_qsl(parts.query)), form=form, hit=hit)
        else:
            status, data = route.status, route.body
            headers = {"Content-Type": route.ctype, **route.headers}
            if route.validators and status == 200:
                headers["ETag"] = route.etag
                headers["Last-Modified"] = formatdate(route.modified, usegmt=True)
                inm, ims = self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")
                if (inm and inm == route.etag) or (not inm and ims and ims == headers["Last-Modified"]):
                    status, data = 304, b""
        self.send_response(status)
        for k, v in headers.items():
            if v is not None:
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(data)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_HEAD(self) -> None:
        self._serve("HEAD")


class Portal:
    """A set of virtual sites on loopback; start() them, read `log` for every request seen."""

    def __init__(self) -> None:
        self.sites: dict[str, Site] = {}
        self.log: list[Hit] = []
        self.lock = threading.Lock()

    def site(self, name: str) -> Site:
        s = Site(self, name)
        self.sites[name] = s
        s.thread.start()
        return s

    def __getitem__(self, name: str) -> Site:
        return self.sites[name]

    def stop(self) -> None:
        for s in self.sites.values():
            s.server.shutdown()
            s.server.server_close()

    def reset_log(self) -> None:
        with self.lock:
            self.log.clear()

    def __enter__(self) -> "Portal":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def closed_port() -> int:
    """A loopback port nothing listens on (an unreachable site)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port
