"""博达 VSB: count-down list pages (ndbg.htm, then ndbg/2.htm, ndbg/1.htm) reached by 下页 links,
details at /info/<column>/<id>.htm, attachments through /system/_content/download.jsp."""
from __future__ import annotations

import re

from crawler.cms.base import Page
from crawler.cms.generic import Generic

_MARKERS = re.compile(r"vsb_content|v_news_content|_sitegray|/system/_content/download\.jsp|"
                      r"class=\"p_(?:next|last|t)\b|/info/\d+/\d+\.htm")


class Vsb(Generic):
    """Pages like the generic family's; told apart so `discover` can name the CMS."""
    name = "vsb"
    priority = 40

    def detect(self, page: Page) -> bool:
        return not page.is_json and bool(_MARKERS.search(page.text))


FAMILY = Vsb()
