"""sitemap.xml: every public page in both languages, each with its hreflang alternates
(zh-Hans, en and x-default, the address that picks the reader's language)."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse


class BilingualSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True


class PagesSitemap(BilingualSitemap):
    """The pages that are not records: home, the lists, the open data page."""

    changefreq = "weekly"

    def items(self):
        return [
            "home",
            "cases:case-list",
            "regions:region-list",
            "regions:program-list",
            "cases:data",
        ]

    def location(self, name):
        return reverse(name)
