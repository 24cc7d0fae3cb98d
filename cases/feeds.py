"""Atom feeds of newly published cases: the whole catalogue, or any filtered list.

``/<lang>/cases/feed/?theme=…&region=…`` takes the case list's own filter parameters through the
same ``CaseFilterSet`` (values it does not know are ignored, as on the page) and gives the newest
matching cases first, in the language of its address.
"""

import datetime

from django.contrib.syndication.views import Feed
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext

from cases.filters import CaseFilterSet
from cases.models import Case
from servtrade.bilingual import HTML_LANG, active_suffix
from servtrade.http_caching import catalogue_version

# Entries per feed: a reader polls often; older cases are on the list page.
FEED_LENGTH = 50


def filter_query(params):
    """Only the list's filter parameters of a query string (no page, sort or download)."""
    kept = params.copy()
    for name in list(kept):
        if name not in CaseFilterSet.base_filters:
            del kept[name]
    return kept.urlencode()


def feed_url(params):
    """The feed of the list these parameters filter."""
    query = filter_query(params)
    return reverse("cases:case-feed") + (f"?{query}" if query else "")


def always_tuple(value):
    return value if isinstance(value, tuple) else (value,)


class CaseFeed(Feed):
    feed_type = Atom1Feed
    author_name = "servtrade"

    def get_object(self, request, *args, **kwargs):
        return CaseFilterSet(
            request.GET or None,
            # The summaries are the entries' content; only the full texts stay behind.
            queryset=Case.objects.published().with_related().defer("body_zh", "body_en"),
            version=catalogue_version(request),
        )

    def title(self, filterset):
        described = ", ".join(
            f"{filterset.filters[name].label}: {', '.join(always_tuple(value))}"
            for name, value in filterset.state()
        )
        title = gettext("New cases · Trade in Services Pilot Cases")
        return f"{title} ({described})" if described else title

    def subtitle(self, filterset):
        return gettext(
            "Best practice cases of China's pilot program for the innovative development of "
            "trade in services, newest first."
        )

    def link(self, filterset):
        query = filter_query(filterset.data or QueryDict())
        return reverse("cases:case-list") + (f"?{query}" if query else "")

    def feed_url(self, filterset):
        return feed_url(filterset.data or QueryDict())

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        # "zh-Hans", not Django's "zh-hans" (xml:lang takes BCP 47 tags).
        feed.feed["language"] = HTML_LANG[active_suffix()]
        return feed

    def items(self, filterset):
        newest = filterset.qs.order_by("-published_on", "-pk")
        return newest[:FEED_LENGTH]

    def item_title(self, case):
        return str(case.title)

    def item_description(self, case):
        return str(case.summary)

    def item_pubdate(self, case):
        return timezone.make_aware(datetime.datetime.combine(case.published_on, datetime.time()))

    def item_updateddate(self, case):
        return case.updated_at

    def item_categories(self, case):
        return [str(case.theme.name)] if case.theme else []
