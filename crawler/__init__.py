"""The Scrapy project that finds and fetches annual reports (see scrapy.cfg)."""
