"""Live progress line on a terminal; silent otherwise (cron, systemd, CI, a redirected stderr).

    sites 3/25  stored 41  requests 120  errors 2

`sites` done of the sites file, `stored` the records handed to the database so far (list and
detail pages, reports, failures: Scrapy's items), `requests` sent, `errors` failed or blocked
pages. Log lines go above the line: a log record on the same terminal first clears the
progress line, is written whole, and the line is drawn again under it.
"""
from __future__ import annotations

import logging
import sys

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler import ledger as run_ledger

CLEAR = "\r\x1b[K"


class AboveProgress:
    """A stream wrapper for log handlers writing to the progress line's terminal."""

    def __init__(self, stream, progress: "Progress") -> None:
        self.stream = stream
        self.progress = progress

    def write(self, text: str) -> int:
        shown = self.progress.shown
        if shown:
            self.stream.write(CLEAR)
        n = self.stream.write(text)
        if shown and text.endswith("\n"):
            self.stream.write(shown)
        return n

    def flush(self) -> None:
        self.stream.flush()

    def __getattr__(self, name):
        return getattr(self.stream, name)


class Progress:
    def __init__(self, crawler, stream=None) -> None:
        self.crawler = crawler
        self.stream = stream or sys.stderr
        self.loop: task.LoopingCall | None = None
        self.shown = ""            # the progress text on screen now ("" when none)
        self.wrapped: list[tuple[logging.StreamHandler, object]] = []

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("NIANBAO_PROGRESS", True) or not sys.stderr.isatty():
            raise NotConfigured  # cron, systemd, CI: the end-of-run summary is enough
        ext = cls(crawler)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def line(self) -> str:
        ledger = run_ledger.of(self.crawler)
        stats = self.crawler.stats
        c = ledger.counts()
        return (f"sites {c['sites_done']}/{c['sites_total']}  "
                f"stored {stats.get_value('item_scraped_count', 0)}  "
                f"requests {stats.get_value('downloader/request_count', 0)}  "
                f"errors {ledger.errors}")

    def tick(self) -> None:
        self.shown = CLEAR + self.line()
        self.stream.write(self.shown)
        self.stream.flush()

    def _wrap_log_handlers(self) -> None:
        """Log handlers writing to this terminal write above the progress line."""
        try:
            ours = self.stream.fileno()
        except (AttributeError, OSError, ValueError):
            return
        for handler in logging.root.handlers:
            stream = getattr(handler, "stream", None)
            if isinstance(handler, logging.FileHandler) or stream is None or isinstance(stream, AboveProgress):
                continue
            try:
                same = stream.fileno() == ours or stream.isatty()
            except (AttributeError, OSError, ValueError):
                continue
            if same:
                handler.setStream(AboveProgress(stream, self))
                self.wrapped.append((handler, stream))

    def opened(self, spider=None) -> None:
        self._wrap_log_handlers()    # Scrapy's root handler is final by now
        self.loop = task.LoopingCall(self.tick)
        self.loop.start(0.5, now=True)

    def closed(self, spider=None, reason=None) -> None:
        if self.loop and self.loop.running:
            self.loop.stop()
        self.tick()
        self.stream.write("\n")
        self.stream.flush()
        self.shown = ""
        for handler, stream in self.wrapped:
            handler.setStream(stream)
        self.wrapped.clear()
