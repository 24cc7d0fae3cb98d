"""Public tables: each column is declared once and the page and the downloads both read it."""

import json

import pytest
from django.urls import reverse
from django.utils import translation

from cases.tables import CaseTable
from regions.tables import RegionTable
from tests.factories import CaseFactory, MembershipFactory, RegionFactory

pytestmark = pytest.mark.django_db


def url(name, query):
    with translation.override("en"):
        return f"{reverse(name)}?{query}"


def orderable(table_class):
    return [name for name, column in table_class.base_columns.items() if column.orderable]


@pytest.mark.parametrize(
    ("name", "table_class"),
    [("cases:case-list", CaseTable), ("regions:region-list", RegionTable)],
)
def test_every_sortable_column_sorts_the_page_both_ways(client, name, table_class):
    region = RegionFactory()
    MembershipFactory(region=region)
    CaseFactory(lead_regions=[region])
    CaseFactory(theme=None, lead_regions=[region])
    assert orderable(table_class)
    for column in orderable(table_class):
        for sort in (column, f"-{column}"):
            response = client.get(url(name, f"sort={sort}"))
            assert response.status_code == 200
            assert "cannot be sorted" not in response.text, sort
            assert 'aria-sort="' in response.text


def test_a_column_only_the_downloads_carry_neither_shows_nor_sorts(client):
    CaseFactory(title_zh="只在下载里")
    response = client.get(url("cases:case-list", "sort=title_zh"))
    assert "The list cannot be sorted by “title_zh”; that was ignored." in response.text
    assert "Chinese title" not in response.text
    records = json.loads(client.get(url("cases:case-list", "_export=json")).getvalue())
    assert records[0]["title_zh"] == "只在下载里"


def test_empty_values_show_a_dash_on_the_page_and_nothing_in_downloads(client):
    CaseFactory(title_en="Loose", title_zh="", theme=None, source_url="")
    response = client.get(url("cases:case-list", "q=Loose"))
    row = response.text.split("<tbody>")[1].split("</tbody>")[0]
    assert '<td data-label="Theme">—</td>' in " ".join(row.split())
    records = json.loads(client.get(url("cases:case-list", "_export=json")).getvalue())
    assert records[0]["theme_names"] is None
    assert records[0]["title_zh"] is None
    assert records[0]["source_url"] is None


def test_an_empty_list_says_so_in_one_row_across_the_columns(client):
    response = client.get(url("cases:case-list", "q=nothing-matches-this"))
    shown = [column for column in CaseTable.base_columns.values() if column.visible]
    assert (
        f'<td class="empty" colspan="{len(shown)}">No published case matches these filters.</td>'
        in response.text
    )


def test_every_downloaded_case_column_says_what_it_holds_for_the_data_dictionary():
    """The bulk files' datapackage.json reads each column's type and meaning from its
    declaration: a new column is one declaration, and cannot be added without them."""
    downloaded = [n for n, c in CaseTable.base_columns.items() if not c.exclude_from_export]
    assert downloaded
    for name in downloaded:
        kind, english, chinese = CaseTable.base_columns[name].data
        assert kind in {"string", "integer", "boolean", "date"}, name
        assert english and chinese and english != chinese, name
