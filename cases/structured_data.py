"""schema.org JSON-LD for search engines: the catalogue as a Dataset with its bulk files as
distributions, each case as an Article. Built in the page's language."""

from django.urls import reverse
from django.utils.translation import gettext

from cases import bulk
from servtrade.bilingual import HTML_LANG, active_suffix

PUBLISHER = {"@type": "Organization", "name": "servtrade"}


def catalogue_dataset(request):
    absolute = request.build_absolute_uri
    manifest = bulk.read_manifest()
    dataset = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": gettext("Trade in Services Pilot Cases"),
        "description": gettext(
            "A bilingual catalogue of the best practice cases of China's pilot program for the "
            "innovative development of trade in services: search, filter, compare and download "
            "them, or use the open data."
        ),
        "url": absolute(reverse("cases:data")),
        "inLanguage": ["zh-Hans", "en"],
        "isAccessibleForFree": True,
        "creator": {**PUBLISHER, "url": absolute(reverse("home"))},
        "spatialCoverage": {"@type": "Place", "name": gettext("China")},
        "temporalCoverage": "2016/..",
    }
    if manifest:
        # Only what a rebuild of the same catalogue keeps (no size, no build time): pages are
        # cached by the catalogue's version, and the files are rebuilt after it changes.
        dataset["license"] = manifest["license"]["path"]
        dataset["distribution"] = [
            {
                "@type": "DataDownload",
                "name": name,
                "encodingFormat": entry["media_type"],
                "contentUrl": absolute(reverse("bulk-file", args=[name])),
            }
            for name, entry in manifest["files"].items()
        ]
    return dataset


def case_article(request, case):
    """A published case (with_related()) as an Article: dates, publisher, regions, theme."""
    absolute = request.build_absolute_uri
    article = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": str(case.title)[:110],
        "name": str(case.title),
        "description": str(case.summary),
        "inLanguage": HTML_LANG[active_suffix()],
        "url": absolute(case.get_absolute_url()),
        "publisher": {**PUBLISHER, "url": absolute(reverse("home"))},
        "contentLocation": [
            {"@type": "Place", "name": str(region.name), "url": absolute(region.get_absolute_url())}
            for region in case.lead_regions.all()
        ],
        "keywords": [str(sector.name) for sector in case.sectors.all()],
        "isPartOf": {"@type": "Dataset", "url": absolute(reverse("cases:data"))},
    }
    if case.released_on:  # the ministry's date; servtrade's own is not the article's
        article["datePublished"] = case.released_on.isoformat()
    if case.theme:
        article["about"] = str(case.theme.name)
    if case.source_url:
        article["isBasedOn"] = case.source_url
    if case.batch.issuer:
        article["sourceOrganization"] = {"@type": "Organization", "name": str(case.batch.issuer)}
    return article
