"""Template helpers shared by every page: bilingual content and language links."""

import json

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import translate_url
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

from regions.verification import unconfirmed_facts
from servtrade.bilingual import HTML_LANG

register = template.Library()

# Each language named in itself, as language switchers do, so a reader finds their own.
OWN_NAMES = {"zh-hans": "中文", "en": "English"}


@register.filter
def localized(text):
    """Content in the page's language, or the other one marked with lang="..." and a hint.

    ``text`` is a LocalizedText (``case.title``); a plain string is shown as it is.
    """
    if not getattr(text, "is_fallback", False):
        return format_html("{}", text)
    return format_html(
        '<span lang="{}">{}</span> <small class="fallback-note">{}</small>',
        text.html_lang,
        text,
        gettext("only in English") if text.lang == "en" else gettext("only in Chinese"),
    )


@register.simple_tag(takes_context=True)
def language_links(context):
    """The current page in each of the site's languages, query string kept.

    [{"code", "name", "html_lang", "url", "current"}]; names are each in their own language.
    Pages outside the language prefixes (a 500 page has no request) get links to the home pages.
    """
    request = context.get("request")
    current = get_language()
    links = []
    for code, _name in settings.LANGUAGES:
        url = f"/{code}/"
        if request is not None:
            # Re-encode the parsed query: a client that sends raw UTF-8 (not percent-encoded)
            # would otherwise get it back as mojibake.
            query = request.GET.urlencode()
            url = switch_language(request.path + (f"?{query}" if query else ""), current, code)
        links.append(
            {
                "absolute_url": request.build_absolute_uri(url) if request is not None else url,
                "code": code,
                "name": OWN_NAMES[code],
                "html_lang": HTML_LANG["en" if code == "en" else "zh"],
                "url": url,
                "current": code == current,
            }
        )
    return links


def switch_language(path, current, code):
    """``path`` in language ``code``; swaps the prefix where Django cannot resolve the path."""
    translated = translate_url(path, code)
    if translated != path or code == current:
        return translated
    prefix = f"/{current}/"
    if path.startswith(prefix):
        return f"/{code}/{path[len(prefix) :]}"
    return f"/{code}/"


@register.filter
def hreflang(code):
    """A Django language code as hreflang and xml:lang want it: ``zh-Hans``, ``en``."""
    return {"zh-hans": "zh-Hans"}.get(code, code)


# Parameters that only page, sort or download a list: the same content, not another page.
NOT_CANONICAL = ("page", "per_page", "sort", "_export")


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """This page's absolute address, without the parameters that only page or sort it."""
    request = context["request"]
    query = request.GET.copy()
    for name in NOT_CANONICAL:
        query.pop(name, None)
    path = request.path + (f"?{query.urlencode()}" if query else "")
    return request.build_absolute_uri(path)


@register.simple_tag(takes_context=True)
def default_language_url(context):
    """x-default: this page's address without a language prefix, which redirects each reader
    by their browser's language (the sitemap gives the same)."""
    request = context["request"]
    prefix = f"/{get_language()}/"
    path = request.get_full_path()
    if path.startswith(prefix):
        path = "/" + path[len(prefix) :]
    return request.build_absolute_uri(path)


class CaptureNode(template.Node):
    def __init__(self, nodelist, name):
        self.nodelist = nodelist
        self.name = name

    def render(self, context):
        # Whitespace collapsed: the text goes into attributes (meta description, og:title).
        context[self.name] = mark_safe(" ".join(self.nodelist.render(context).split()))
        return ""


@register.tag
def capture(parser, token):
    """``{% capture as name %}…{% endcapture %}``: render once, use as often as needed (a page's
    title block serves <title>, og:title and the heading of the feed link)."""
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError("Usage: {% capture as name %}...{% endcapture %}")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[2])


@register.simple_tag
def json_ld(data):
    """``<script type="application/ld+json">`` with ``data``; <, > and & escaped so that no
    text can end the script."""
    text = json.dumps(data, ensure_ascii=False, cls=DjangoJSONEncoder)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@register.simple_tag(takes_context=True)
def query_without(context, name, value=None):
    """The current query string without one value of ``name`` (or all of them), at page 1.

    For links that remove one active filter: ``{% query_without "theme" option.key %}``.
    """
    query = context["request"].GET.copy()
    query.pop("page", None)
    if value is None:
        query.pop(name, None)
    else:
        query.setlist(name, [kept for kept in query.getlist(name) if kept != value])
    return f"?{query.urlencode()}" if query else "?"


@register.filter
def any_selected(facets):
    """Whether any option of these facets is selected."""
    return any(facet.selected for facet in facets)


@register.filter
def unconfirmed(record):
    """Which facts of a flagged record are unconfirmed and what would confirm each."""
    return unconfirmed_facts(record)


@register.filter
def number(value):
    """A count in the page's language's format (1,234 in English; 1234 in Chinese)."""
    return number_format(value, force_grouping=True)
