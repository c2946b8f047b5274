"""A DNS resolver for crawls of the fixture portal: names under the reserved .test domain
(www.gushi.test, lijizhen.gushi.test …) resolve to 127.0.0.1, and nothing else resolves, so a
crawl under test can never reach a real host. Switched on with
`-s DNS_RESOLVER=tests.portal.resolver.LoopbackResolver`."""
from __future__ import annotations

from twisted.internet import defer
from twisted.internet.error import DNSLookupError

from scrapy.resolver import CachingThreadedResolver


class LoopbackResolver(CachingThreadedResolver):
    def getHostByName(self, name: str, timeout=()):
        if name == "localhost" or name.startswith("127.") or name.endswith(".test"):
            return defer.succeed("127.0.0.1")
        return defer.fail(DNSLookupError(f"{name}: the fixture resolver knows only .test names"))
