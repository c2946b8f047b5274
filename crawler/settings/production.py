"""Scheduled (cron/systemd) runs: base settings plus quieter logs and a longer patience.
Select with SCRAPY_SETTINGS_MODULE=crawler.settings.production (deploy/ does)."""
from crawler.settings import *  # noqa: F401,F403

LOG_LEVEL = "WARNING"
NIANBAO_PROGRESS = False
DOWNLOAD_TIMEOUT = 60
AUTOTHROTTLE_START_DELAY = 2.0
RETRY_TIMES = 4
