"""The pictures (map and charts), rendered to inline SVG and cached under the catalogue version.

``{% load pictures %}{% region_map program=program %}`` etc. A rendered picture only changes
when the catalogue does, so it is kept as markup under the catalogue's version and the page's
language (see servtrade.caching): a page with a warm cache runs no query for its pictures.
What each picture shows comes from regions.pictures; how it looks, from templates/pictures/.
"""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from regions import pictures
from servtrade import http_caching
from servtrade.caching import cached

register = template.Library()


def catalogue_version(context):
    """The catalogue version: the view's, else the one the request read for its ETag."""
    if "catalogue_version" in context:  # None too: no version row, nothing is cached
        return context["catalogue_version"]
    request = context.get("request")
    if request is not None:
        return http_caching.catalogue_version(request)  # read at most once per request
    from cases.models import CatalogueVersion  # servtrade sits above both apps

    return CatalogueVersion.objects.current()


def render_cached(context, name, parts, build):
    """The picture ``name`` for ``parts``, rendered once per catalogue version and language."""
    markup = cached(
        catalogue_version(context),
        ("picture", name, parts, get_language()),
        lambda: str(render_to_string(f"pictures/{name}.html", build())),
    )
    return mark_safe(markup)  # our own template's output, escaped when it was rendered


@register.simple_tag(takes_context=True)
def region_map(context, program=None, region=None):
    """The tile-grid map of the pilot regions; a program's members or a region highlighted.

    Every map (home, each region's and program's page, in each language) draws the same pilot
    regions with their case counts, a query of a second at 100,000 cases: they are read once
    per catalogue version for all the maps, not once for each.
    """
    version = catalogue_version(context)

    def build():
        regions = cached(version, ("pilot regions",), lambda: pictures.pilot_regions(version))
        return pictures.region_map(program=program, region=region, regions=regions)

    return render_cached(
        context, "region_map", (program and program.slug, region and region.slug), build
    )


@register.simple_tag(takes_context=True)
def completeness_chart(context, program=None):
    """Per batch, published cases catalogued against the official number; totals per program."""
    return render_cached(
        context,
        "completeness",
        (program and program.slug,),
        lambda: {**pictures.completeness(program), "program": program},
    )


@register.simple_tag(takes_context=True)
def program_timeline(context, program=None):
    """Phases with their approval dates and periods, batches with their release dates."""
    return render_cached(
        context,
        "timeline",
        (program and program.slug,),
        lambda: {**pictures.timeline(program), "program": program},
    )


@register.simple_tag(takes_context=True)
def facet_chart(context, facet, link_base, id_prefix="chart"):
    """A facet's counts as bars; each bar links to the list filtered by that option.

    The counts are those the page computed for its facets (cached with them): the chart adds
    no query and, on the case list, follows the filters. Its markup is cached under what it
    draws. A province's row counts its cities' cases too, so its cities are indented under it.
    """
    drawn = tuple((o.key, o.count, o.selected, o.depth) for o in facet.options)
    return render_cached(
        context,
        "facet_chart",
        (facet.name, drawn, link_base, id_prefix),
        lambda: facet_chart_rows(facet, link_base, id_prefix),
    )


def facet_chart_rows(facet, link_base, id_prefix):
    widest = max([option.count for option in facet.options] or [1]) or 1
    rows, y = [], 0
    for option in facet.options:
        indent = FACET_INDENT * option.depth
        rows.append(
            {
                "option": option,
                "y": y,
                "x": indent,
                "width": round(option.count / widest * (pictures.CHART_WIDTH - indent), 1),
                "label": pictures.shorten_label(
                    str(option.label), pictures.CHART_WIDTH - 60 - indent
                ),
            }
        )
        y += FACET_ROW
    return {
        "facet": facet,
        "rows": rows,
        "height": y,
        "width": pictures.CHART_WIDTH,
        "link_base": link_base,
        "id": f"{id_prefix}-{facet.name}",
    }


FACET_ROW = 30
FACET_INDENT = 14
