"""Downloader middlewares: host rules, redirects, charsets, anti-bot pages, Retry-After."""
from __future__ import annotations

import logging
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone
from urllib.parse import urljoin

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response, TextResponse
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached

from crawler import ledger as run_ledger
from crawler.discovery import challenge_reason
from parsers.decode import detect_charset, header_charset
from parsers.vocabulary import age_seconds

log = logging.getLogger(__name__)


class OffSite(IgnoreRequest):
    """A request or redirect to a host the sites file does not name."""


class Blocked(IgnoreRequest):
    """An anti-bot challenge: recorded as blocked, not fought."""


class Undecodable(IgnoreRequest):
    """A body no Chinese-portal charset decodes."""


def _netloc(url_or_request) -> str:
    if isinstance(url_or_request, Request):
        return urlparse_cached(url_or_request).netloc.lower()
    from urllib.parse import urlsplit
    return urlsplit(url_or_request).netloc.lower()


class HostGuardMiddleware:
    """Only hosts of the sites file's sites (crawler.hosts: a site's registered domain, or for an
    IP address that exact host:port), and none that answered with a challenge. Scrapy's
    OffsiteMiddleware works on domain names; this one also tells IP ports apart and covers
    requests made by redirects and by any code path."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        ledger = run_ledger.of(self.crawler)
        netloc = _netloc(request)
        if not ledger.allows(request.url):
            self.crawler.stats.inc_value("nianbao/offsite_dropped")
            log.info("off-site request dropped: %s (from %s)", request.url, request.meta.get("from_url"))
            raise OffSite(f"off-site host {netloc}")
        if ledger.is_blocked(netloc):
            raise Blocked(f"host {netloc} answered with a challenge earlier")
        return None


class RedirectGuardMiddleware:
    """Drops redirects whose Location leaves the allowed hosts, before RedirectMiddleware follows them."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status in (301, 302, 303, 307, 308) and b"Location" in response.headers:
            location = response.headers[b"Location"].decode("latin-1")
            try:
                target = urljoin(request.url, location)
            except ValueError:
                raise OffSite(f"malformed redirect to {location!r}") from None
            if not run_ledger.of(self.crawler).allows(target):
                self.crawler.stats.inc_value("nianbao/offsite_redirect_dropped")
                log.warning("off-site redirect dropped: %s -> %s", request.url, target)
                raise OffSite(f"off-site redirect to {target}")
        return response


class CharsetMiddleware:
    """Scrapy falls back to cp1252 for undeclared bodies, which turns GBK pages into mojibake: the
    response's encoding is set by the parser's charset rules (parsers.decode.detect_charset), so
    the text the spider reads is the text the parser reads from the stored bytes."""

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, TextResponse) or not response.body:
            return response
        ctype = response.headers.get(b"Content-Type", b"").decode("latin-1")
        enc = detect_charset(response.body, header_charset(ctype))
        if enc is None:
            if request.meta.get("binary_ok"):
                return response
            raise Undecodable("body decodes as neither UTF-8 nor GB18030")
        # built anew rather than by response.replace(), which reads the old response's encoding and
        # so decodes the whole body once more to infer it
        cls = type(response)
        kwargs = {name: getattr(response, name) for name in cls.attributes if name != "encoding"}
        return cls(encoding=enc, **kwargs)


class ChallengeMiddleware:
    """HTTP 412 + script, WAF pages, script-only shells: mark the host blocked and stop there."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get("binary_ok") and response.status == 200 and not isinstance(response, TextResponse):
            return response
        text = response.text if isinstance(response, TextResponse) else response.body[:20000].decode("utf-8", "replace")
        reason = challenge_reason(response.status, text)
        if reason:
            run_ledger.of(self.crawler).block_host(_netloc(request))
            self.crawler.stats.inc_value("nianbao/blocked")
            log.warning("blocked by %s: %s (%s)", _netloc(request), request.url, reason)
            raise Blocked(reason)
        return response


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date."""
    if not value:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, -age_seconds(when, now))


class RetryAfterMiddleware(RetryMiddleware):
    """RetryMiddleware that waits before retrying: Retry-After when the server sends one (429/503),
    otherwise exponential backoff. Scrapy alone retries at once and ignores Retry-After."""

    def __init__(self, settings) -> None:
        super().__init__(settings)
        self.max_wait = settings.getfloat("RETRY_AFTER_MAX", 120.0)
        self.backoff = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)

    async def _wait(self, seconds: float) -> None:
        if seconds > 0:
            from twisted.internet import reactor  # imported late: Scrapy installs its reactor first
            from twisted.internet.task import deferLater

            await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))

    def _delay(self, request: Request, response: Response | None) -> float:
        if response is not None:
            ra = retry_after_seconds(response.headers.get(b"Retry-After"))
            if ra is not None:
                return ra
        return self.backoff * (2 ** request.meta.get("retry_times", 0))

    async def process_response(self, request: Request, response: Response):
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        delay = self._delay(request, response)
        if delay > self.max_wait:
            log.warning("giving up %s: Retry-After %.0fs exceeds RETRY_AFTER_MAX", request.url, delay)
            return response
        retry = self._retry(request, f"HTTP {response.status}")
        if retry is None:
            return response
        self.crawler.stats.inc_value("nianbao/retry_wait_seconds", int(delay))
        await self._wait(delay)
        return retry

    async def process_exception(self, request: Request, exception: Exception):
        if isinstance(exception, self.exceptions_to_retry) and not request.meta.get("dont_retry", False):
            retry = self._retry(request, exception)
            if retry is not None:
                await self._wait(self._delay(request, None))
            return retry
        return None
