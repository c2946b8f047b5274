"""Extension: the User-Agent names the operator's contact page, built when the crawler starts.

The settings module cannot build it (it loads before `-s NIANBAO_CONTACT=URL` is applied), so
USER_AGENT is filled from USER_AGENT_TEMPLATE and NIANBAO_CONTACT here, before the downloader
middlewares read it. A USER_AGENT given on the command line (`-s USER_AGENT=...`) is kept.
"""
from __future__ import annotations

from scrapy.exceptions import NotConfigured
from scrapy.settings import SETTINGS_PRIORITIES


class ContactUserAgent:
    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if settings.getpriority("USER_AGENT") <= SETTINGS_PRIORITIES["project"]:
            agent = settings.get("USER_AGENT_TEMPLATE").format(contact=settings.get("NIANBAO_CONTACT"))
            settings.set("USER_AGENT", agent, priority="project")
        raise NotConfigured  # nothing to do once the setting is made
