"""Logs a person can read: one line per record, tracebacks only at DEBUG, no settings dumps.

`nianbao crawl` installs `install_handler` as the only root handler (Scrapy's is switched off
with LOG_INSTALL_ROOT_HANDLER=False); `scrapy crawl reports` gets the same filter and
formatter on Scrapy's own handler through the `Tidy` extension. `ItemLogFormatter` keeps
item bodies (megabytes of PDF) out of dropped-item and item-error messages.
"""
from __future__ import annotations

import logging
import sys

from scrapy import logformatter, signals

# records Scrapy logs at ERROR/WARNING for something the spider itself reports, in one line
# and with its URL, as a failed page (robots.txt of an unreachable host, retries given up)
_DEMOTED = ("scrapy.downloadermiddlewares.robotstxt", "scrapy.downloadermiddlewares.retry")


class Tidy(logging.Filter):
    """Demotes to DEBUG what repeats the spider's own report of a failure, and Scrapy's
    multi-line INFO dumps (settings, middlewares, versions, stats); drops what falls below
    the configured level as a result."""

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        name = record.name
        if record.levelno < logging.CRITICAL and name.startswith(_DEMOTED):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        elif (record.levelno == logging.INFO and name.startswith("scrapy.")
              and "\n" in record.getMessage()):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return record.levelno >= self.level


class OneLine(logging.Formatter):
    """The message on one line; the exception as `(Type: message)` unless at DEBUG, where the
    whole traceback follows."""

    def __init__(self, fmt: str | None, datefmt: str | None, tracebacks: bool) -> None:
        super().__init__(fmt, datefmt)
        self.tracebacks = tracebacks

    def format(self, record: logging.LogRecord) -> str:
        if self.tracebacks:
            return super().format(record)
        exc = record.exc_info
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info = record.exc_text = record.stack_info = None
        try:
            line = super().format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved
        line = " | ".join(part for part in line.splitlines() if part.strip())
        if exc and exc[1] is not None and str(exc[1]) not in line:
            line += f" ({type(exc[1]).__name__}: {str(exc[1])[:200]})"
        return line


def level_of(settings) -> int:
    level = settings.get("LOG_LEVEL") or "INFO"
    return level if isinstance(level, int) else logging.getLevelName(str(level).upper())


def tidy(handler: logging.Handler, settings) -> None:
    """Give a handler the one-line formatter and the filter, for the crawl's LOG_LEVEL."""
    level = level_of(settings)
    handler.setFormatter(OneLine(settings.get("LOG_FORMAT"), settings.get("LOG_DATEFORMAT"),
                                 tracebacks=level <= logging.DEBUG))
    if not any(isinstance(f, Tidy) for f in handler.filters):
        handler.addFilter(Tidy(level))


def install_handler(settings, stream=None) -> logging.Handler:
    """The root handler of `nianbao crawl`: LOG_FILE when set, else stderr."""
    if settings.get("LOG_FILE"):
        handler: logging.Handler = logging.FileHandler(settings.get("LOG_FILE"), encoding="utf-8")
    else:
        handler = logging.StreamHandler(stream or sys.stderr)
    handler.setLevel(level_of(settings))
    tidy(handler, settings)
    for old in list(logging.root.handlers):
        logging.root.removeHandler(old)
    logging.root.addHandler(handler)
    logging.root.setLevel(logging.NOTSET)
    return handler


class TidyLogs:
    """Extension: the same one-line logs under `scrapy crawl reports` (Scrapy's root handler is
    final only once the engine starts)."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        crawler.signals.connect(ext.started, signal=signals.engine_started)
        return ext

    def started(self) -> None:
        for handler in logging.root.handlers:
            if not any(isinstance(f, Tidy) for f in handler.filters):
                tidy(handler, self.crawler.settings)


def _item_name(item) -> str:
    try:
        return f"{item.get('kind', 'item')} {item.get('url', '')}".strip()
    except AttributeError:
        return type(item).__name__


class ItemLogFormatter(logformatter.LogFormatter):
    """Scrapy's messages with the item named by its kind and URL, not dumped whole."""

    def dropped(self, item, exception, response, spider):
        out = super().dropped(item, exception, response, spider)
        if out is not None:
            out.update(msg="Dropped %(item)s: %(exception)s", args={"item": _item_name(item), "exception": exception})
        return out

    def item_error(self, item, exception, response, spider=None):
        out = super().item_error(item, exception, response, spider)
        out.update(msg="Error processing %(item)s", args={"item": _item_name(item)})
        return out

    def scraped(self, item, response, spider):
        out = super().scraped(item, response, spider)
        out.update(msg="Scraped %(item)s", args={"item": _item_name(item)})
        return out
