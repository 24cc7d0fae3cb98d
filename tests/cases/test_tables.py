"""The case table renders its rows itself; they must be what django-tables2 would render."""

import pytest
from django.test import RequestFactory
from django.utils import translation

from cases.models import Case
from cases.tables import CaseTable
from tests.factories import CaseFactory, RegionFactory, ServiceSectorFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_lean_rows_hold_the_cells_django_tables2_renders(lang):
    CaseFactory(
        title_en="",
        lead_regions=[RegionFactory(), RegionFactory()],
        sectors=[ServiceSectorFactory(code="SG"), ServiceSectorFactory(code="SI")],
    )
    CaseFactory(theme=None, title_zh="")
    with translation.override(lang):
        table = CaseTable(Case.objects.published().listed().with_adoption_counts())
        table.paginate(per_page=20)
        table.request = RequestFactory().get("/")
        expected = "\n".join(
            "<tr>"
            + "".join(f'<td data-label="{col.header}">{cell}</td>' for col, cell in row.items())
            + "</tr>"
            for row in table.paginated_rows
        )
        assert table.rows_html() == expected


def test_export_values_are_what_django_tables2_exports():
    CaseFactory(
        theme=None,
        source_url="",
        title_is_topic=True,
        lead_regions=[RegionFactory(), RegionFactory()],
        sectors=[ServiceSectorFactory(code="SG"), ServiceSectorFactory(code="SI")],
    )
    CaseFactory(title_zh="")
    table = CaseTable(Case.objects.published().listed().with_adoption_counts())
    table.request = RequestFactory().get("/")
    header, *expected = list(table.as_values())
    names = [
        column.name for column in table.columns.iterall() if not column.column.exclude_from_export
    ]
    assert len(names) == len(header)
    exported = [[table.export_values(record)[name] for name in names] for record in table.data.data]
    assert exported == expected
