"""Base Scrapy settings for the nianbao crawl (polite defaults; tests and CLI use these).
`crawler.settings.production` overrides a few for scheduled runs."""
from __future__ import annotations

BOT_NAME = "nianbao"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# --- nianbao's own settings ---
NIANBAO_DB = "nianbao.db"                 # SQLite database written by the pipeline
NIANBAO_CONTACT = "https://github.com/nianbao/nianbao"   # put your project/contact page here
NIANBAO_SITES = None                      # default sites file: the bundled crawler/sites/sites.csv
NIANBAO_MODE = "nightly"                  # nightly | backfill
NIANBAO_YEARS = None                      # "2019-2024" (backfill)
NIANBAO_REVALIDATE = False
NIANBAO_MAX_DISCOVERY_DEPTH = 6           # clicks from the entry page: home -> 政务公开 -> 部门 -> organ -> column
NIANBAO_MAX_SITE_PAGES = 400              # catalogue and list pages asked per site (the exploration budget)
NIANBAO_REDISCOVER_DAYS = 7               # nightly walks a site from its entry page again every N days
NIANBAO_REDISCOVER = False                # or every run (--rediscover)
NIANBAO_PROGRESS = True                   # live progress line on a terminal (quiet otherwise)
RETRY_AFTER_MAX = 120                     # seconds; a longer Retry-After gives the page up
RETRY_BACKOFF_BASE = 1.0                  # seconds; doubled at each retry without Retry-After

# filled from NIANBAO_CONTACT when the crawler starts (crawler.useragent), so -s NIANBAO_CONTACT=URL counts
USER_AGENT_TEMPLATE = "nianbao/0.1 (+{contact}; collects 政府信息公开工作年度报告)"
USER_AGENT = USER_AGENT_TEMPLATE.format(contact=NIANBAO_CONTACT)
ROBOTSTXT_OBEY = True

CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024       # reports with scanned pages can be large; bodies above are dropped
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = True                    # some CMSs set a session cookie before lists render

REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"                        # tracebacks are shown at DEBUG only (crawler.logs)
LOG_FORMATTER = "crawler.logs.ItemLogFormatter"   # items named by kind and URL, never dumped whole
LOG_VERSIONS: list = []                   # no version dump at start
STATS_DUMP = False                        # the run's summary is printed instead
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19 starts an HTTP server that runs Python code sent to it (for its MCP tooling);
# an unattended nightly crawl has no use for it, so the port is not opened at all.
REMOTE_CONTROL_ENABLED = False

SPIDER_MIDDLEWARES = {}
DOWNLOADER_MIDDLEWARES = {
    # request path runs low -> high, response path high -> low
    "crawler.middlewares.HostGuardMiddleware": 60,        # before anything goes out; sees 3xx before Redirect
    "crawler.middlewares.RedirectGuardMiddleware": 620,   # off-site redirects dropped before RedirectMiddleware (600)
    "crawler.middlewares.CharsetMiddleware": 585,         # after HttpCompression (590) decompressed the body
    "crawler.middlewares.ChallengeMiddleware": 582,       # anti-bot pages become Blocked, never retried
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.RetryAfterMiddleware": 550,
}
ITEM_PIPELINES = {
    "crawler.pipelines.ValidatePipeline": 100,
    "crawler.pipelines.StorePipeline": 500,
}
EXTENSIONS = {
    "crawler.useragent.ContactUserAgent": 0,   # first: before the downloader reads USER_AGENT
    "crawler.logs.TidyLogs": 100,
    "crawler.progress.Progress": 500,
}
