"""Live progress line (sites done / total, reports found, errors) on a terminal; silent otherwise."""
from __future__ import annotations

import sys

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task


class Progress:
    def __init__(self, crawler, stream=None) -> None:
        self.crawler = crawler
        self.stream = stream or sys.stderr
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("NIANBAO_PROGRESS", True) or not sys.stderr.isatty():
            raise NotConfigured  # cron, systemd, CI: the end-of-run summary is enough
        ext = cls(crawler)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def line(self) -> str:
        spider = self.crawler.spider
        stats = self.crawler.stats
        c = spider.site_counts() if hasattr(spider, "site_counts") else {}
        pipe_reports = stats.get_value("item_scraped_count", 0)
        return (f"\rsites {c.get('sites_done', 0)}/{c.get('sites_total', 0)}  "
                f"items {pipe_reports}  requests {stats.get_value('downloader/request_count', 0)}  "
                f"errors {getattr(spider, 'errors', 0)}   ")

    def tick(self) -> None:
        self.stream.write(self.line())
        self.stream.flush()

    def opened(self, spider=None) -> None:
        self.loop = task.LoopingCall(self.tick)
        self.loop.start(0.5, now=True)

    def closed(self, spider=None, reason=None) -> None:
        if self.loop and self.loop.running:
            self.loop.stop()
        self.tick()
        self.stream.write("\n")
