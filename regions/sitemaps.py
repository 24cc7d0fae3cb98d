from regions.models import PilotProgram, Region
from servtrade.sitemaps import BilingualSitemap


class RegionSitemap(BilingualSitemap):
    changefreq = "monthly"

    def items(self):
        return Region.objects.order_by("pk")


class ProgramSitemap(BilingualSitemap):
    changefreq = "monthly"

    def items(self):
        return PilotProgram.objects.order_by("pk")
