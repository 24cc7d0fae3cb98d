from cases.models import Case, CaseBatch
from servtrade.sitemaps import BilingualSitemap


class CaseSitemap(BilingualSitemap):
    """Every published case (a draft's address is a 404 for the public)."""

    changefreq = "monthly"
    # Per file, with both languages and three alternates each: well under the protocol's 50,000.
    limit = 5000

    def items(self):
        return Case.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, case):
        return case.updated_at


class BatchSitemap(BilingualSitemap):
    changefreq = "monthly"

    def items(self):
        return CaseBatch.objects.select_related("program").order_by("pk")
