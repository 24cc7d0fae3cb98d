"""Cases come in from a spreadsheet (XLSX or CSV) through a preview, and go out the same way."""

import datetime
from pathlib import Path

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from cases.admin import import_problems
from cases.models import Case
from cases.resources import COLUMNS
from tests.factories import (
    CaseBatchFactory,
    CaseFactory,
    PilotProgramFactory,
    RegionFactory,
    ServiceSectorFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

IMPORT_URL = "admin:cases_case_import"
FORMATS = {"xlsx": "0", "csv": "1"}  # the import form's choices, in CaseAdmin.formats order
DOCS = Path(__file__).resolve().parents[2] / "docs" / "import.md"


def spreadsheet(rows, extension="csv", headers=None):
    """A file's bytes: the column names, then one dict of cells per row."""
    headers = headers or list(COLUMNS)
    dataset = tablib.Dataset(*[[row.get(name, "") for name in headers] for row in rows])
    dataset.headers = headers
    content = dataset.export(extension)
    return content.encode("utf-8") if isinstance(content, str) else content


def load(content, extension):
    """A downloaded file as a dataset; CSV comes with the byte-order mark Excel wants."""
    if extension == "csv":
        assert content.startswith(b"\xef\xbb\xbf")
        content = content.decode("utf-8-sig")
    return tablib.Dataset().load(content, format=extension)


def preview(client, content, extension="csv", name=None):
    upload = SimpleUploadedFile(name or f"cases.{extension}", content)
    return client.post(reverse(IMPORT_URL), {"import_file": upload, "format": FORMATS[extension]})


def confirm(client, previewed):
    form = previewed.context["confirm_form"]
    return client.post(reverse("admin:cases_case_process_import"), form.initial, follow=True)


def problems(response):
    return import_problems(response.context["result"])


@pytest.fixture
def world():
    """What a good row refers to: a batch, a theme, regions and sectors."""
    return {
        "batch": CaseBatchFactory(program=PilotProgramFactory(slug="pilot-2020"), number=3),
        "theme": ThemeFactory(name_zh="制度开放", name_en="Institutional opening"),
        "xiamen": RegionFactory(name_zh="厦门市", name_en="Xiamen", code="350200"),
        "pudong": RegionFactory(name_zh="浦东新区", name_en="Pudong New Area", code=None),
        "transport": ServiceSectorFactory(code="SC", name_zh="运输", name_en="Transport"),
        "digital": ServiceSectorFactory(code="SI", name_zh="电信、计算机和信息服务"),
    }


def good_row(number, **cells):
    return {
        "slug": f"imported-case-{number}",
        "batch": "pilot-2020/3",
        "theme": "制度开放",
        "title_zh": f"导入的案例{number}",
        "title_en": f"Imported case {number}",
        "summary_zh": "摘要",
        "lead_regions": "350200",
        "sectors": "SC",
        "published_on": "2023-11-01",
        "source_url": "https://example.org/case",
        **cells,
    }


@pytest.mark.parametrize("extension", FORMATS)
def test_a_good_file_is_previewed_then_imported_as_drafts_on_confirmation(
    admin_client, world, extension
):
    content = spreadsheet([good_row(1), good_row(2), good_row(3)], extension)

    previewed = preview(admin_client, content, extension)

    assert previewed.status_code == 200
    assert [row.import_type for row in previewed.context["result"].valid_rows()] == ["new"] * 3
    assert not Case.objects.exists()  # nothing saved by the preview

    confirmed = confirm(admin_client, previewed)

    assert "Import finished: 3 new" in confirmed.content.decode()
    cases = Case.objects.order_by("slug")
    assert [case.status for case in cases] == [Case.Status.DRAFT] * 3
    case = cases[0]
    assert (case.batch, case.theme, case.title_en) == (
        world["batch"],
        world["theme"],
        "Imported case 1",
    )
    assert list(case.lead_regions.all()) == [world["xiamen"]]
    assert list(case.sectors.all()) == [world["transport"]]
    assert case.published_on == datetime.date(2023, 11, 1)
    (record,) = case.history.all()
    assert (record.history_type, record.history_user.username) == ("+", "admin")
    assert [row.region_id for row in record.lead_regions.all()] == [world["xiamen"].pk]


def test_regions_and_sectors_are_found_by_code_or_by_either_name(admin_client, world):
    row = good_row(
        1, lead_regions="350200；Pudong New Area", sectors="transport、电信、计算机和信息服务"
    )

    confirm(admin_client, preview(admin_client, spreadsheet([row])))

    case = Case.objects.get()
    assert set(case.lead_regions.all()) == {world["xiamen"], world["pudong"]}
    assert set(case.sectors.all()) == {world["transport"], world["digital"]}


def test_an_empty_slug_is_made_from_the_english_title(admin_client, world):
    row = good_row(1, slug="", title_en="Sports Services Trade in Xiamen")
    confirm(admin_client, preview(admin_client, spreadsheet([row])))
    assert Case.objects.get().slug == "sports-services-trade-in-xiamen"


def test_a_row_with_a_known_slug_updates_that_case_and_keeps_its_status(admin_client, world):
    published = CaseFactory(slug="known-case", title_en="Old title")
    content = spreadsheet([good_row(1, slug="known-case", title_en="New title")])

    previewed = preview(admin_client, content)
    assert [row.import_type for row in previewed.context["result"].valid_rows()] == ["update"]
    confirm(admin_client, previewed)

    published.refresh_from_db()
    assert (published.title_en, published.status) == ("New title", Case.Status.PUBLISHED)
    assert Case.objects.count() == 1


def test_a_status_column_is_refused_so_an_import_cannot_publish(admin_client, world):
    content = spreadsheet([good_row(1, status="published")], headers=[*COLUMNS, "status"])
    response = preview(admin_client, content)
    assert "Unknown: status." in problems(response)[0]
    assert "confirm_form" not in response.context
    assert not Case.objects.exists()


def test_blank_lines_are_skipped(admin_client, world):
    content = spreadsheet([good_row(1), {}, good_row(2)], extension="xlsx")
    confirm(admin_client, preview(admin_client, content, "xlsx"))
    assert Case.objects.count() == 2


REQUIRED = "Required: every case needs its title in Chinese and in English."
BAD_ROWS = [
    ({"lead_regions": "350200; 火星市"}, "lead_regions: Unknown region “火星市”."),
    ({"sectors": "SZ"}, "sectors: Unknown service sector “SZ”."),
    ({"title_zh": ""}, f"title_zh: {REQUIRED}"),
    ({"title_en": " "}, f"title_en: {REQUIRED}"),
    ({"published_on": "11/01/2023"}, "published_on: “11/01/2023” is not a date"),
    ({"published_on": "2023-02-30"}, "published_on: “2023-02-30” is not a date"),
    ({"batch": "pilot-2020/9"}, "batch: Unknown batch “pilot-2020/9”"),
    ({"theme": "没有的主题"}, "theme: Unknown theme “没有的主题”."),
    ({"source_url": "not a link"}, "source_url: Enter a valid URL."),
    ({"slug": "not a slug!"}, "slug: Enter a valid “slug”"),
]


@pytest.mark.parametrize(("cells", "problem"), BAD_ROWS, ids=[p for _c, p in BAD_ROWS])
def test_a_bad_row_is_reported_with_its_row_number_and_nothing_is_saved(
    admin_client, world, cells, problem
):
    content = spreadsheet([good_row(1), good_row(2, **cells)])

    response = preview(admin_client, content)

    assert response.status_code == 200
    (reported,) = problems(response)
    assert reported.startswith(f"Row 3, {problem}")
    assert "confirm_form" not in response.context
    assert not Case.objects.exists()


def test_the_preview_shows_the_spreadsheet_row_number_of_a_bad_row(admin_client, world):
    content = spreadsheet([good_row(1), good_row(2), good_row(3, sectors="SZ")])
    html = " ".join(preview(admin_client, content).content.decode().split())
    assert '<td>4</td> <td> <ul class="errorlist"> <li><code>sectors</code>: ' in html
    assert "Unknown service sector “SZ”.</li>" in html


def test_rows_with_the_same_slug_are_all_reported(admin_client, world):
    content = spreadsheet(
        [good_row(1, slug="twice"), good_row(2), good_row(3, slug="", title_en="Twice")]
    )
    assert problems(preview(admin_client, content)) == [
        "Row 2, slug: Rows 2, 4 have the same slug “twice”: each case needs its own.",
        "Row 4, slug: Rows 2, 4 have the same slug “twice”: each case needs its own.",
    ]


def test_a_slug_made_from_the_title_that_another_case_has_is_reported(admin_client, world):
    CaseFactory(slug="imported-case-1")
    response = preview(admin_client, spreadsheet([good_row(1, slug="")]))
    assert problems(response) == [
        "Row 2, slug: The slug “imported-case-1” made from the English title is another "
        "case's. To update that case, write its slug in this row; else give this row a slug of "
        "its own."
    ]


def test_every_problem_of_every_row_is_reported(admin_client, world):
    content = spreadsheet(
        [
            good_row(1, title_zh="", sectors="SZ", published_on="yesterday"),
            good_row(2),
            good_row(3, batch="nowhere/1"),
        ]
    )
    assert problems(preview(admin_client, content)) == [
        f"Row 2, title_zh: {REQUIRED}",
        "Row 2, published_on: “yesterday” is not a date: write it as 2023-11-01.",
        "Row 2, sectors: Unknown service sector “SZ”.",
        "Row 4, batch: Unknown batch “nowhere/1”: write its program's slug and its number, "
        "e.g. comprehensive-deepening-2020/1, or its title.",
    ]


def test_a_confirmation_that_fails_after_all_writes_nothing(admin_client, world):
    vanishing = RegionFactory(code="999999")
    content = spreadsheet([good_row(1), good_row(2, lead_regions="999999")])
    previewed = preview(admin_client, content)
    assert "confirm_form" in previewed.context
    vanishing.delete()  # someone removes the region between the preview and the confirmation

    confirmed = confirm(admin_client, previewed)

    assert not Case.objects.exists()  # not even row 2, which still passes
    content = confirmed.content.decode()
    assert "Nothing was imported" in content
    assert "Row 3, lead_regions: Unknown region “999999”." in content


def test_confirming_the_same_upload_twice_imports_it_once(admin_client, world):
    previewed = preview(admin_client, spreadsheet([good_row(1)]))
    confirm(admin_client, previewed)

    again = confirm(admin_client, previewed)

    assert again.status_code == 200
    assert "imported already or has expired" in again.content.decode()
    assert Case.objects.count() == 1


UNREADABLE = "cannot be read as the format chosen"


@pytest.mark.parametrize(
    ("content", "extension", "message"),
    [
        (b"%PDF-1.4 not a spreadsheet", "xlsx", UNREADABLE),
        (spreadsheet([{"slug": "x"}], "xlsx"), "csv", UNREADABLE),
        ("slug,title_zh,title_en\nx,中文标题,Title\n".encode("gbk"), "csv", UNREADABLE),
        (b"", "csv", "The submitted file is empty."),
        (b"name,date\nx,y\n", "csv", "Missing: slug, title_zh, title_en. Unknown: name, date."),
    ],
    ids=["pdf", "xlsx-as-csv", "gbk-csv", "empty", "wrong-columns"],
)
def test_a_file_that_is_not_a_cases_spreadsheet_gets_a_clear_message(
    admin_client, content, extension, message
):
    response = preview(admin_client, content, extension)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert not Case.objects.exists()


def export(client, extension):
    form = client.get(reverse("admin:cases_case_export")).context["form"]
    selected = {name: "on" for name in form.fields if name.startswith("caseresource_")}
    response = client.post(
        reverse("admin:cases_case_export"), {"format": FORMATS[extension], **selected}
    )
    assert response.status_code == 200
    return load(response.content, extension)


def catalogue():
    """Every case with every column's value, to compare before and after a round trip."""
    return {
        case.slug: {
            **{
                name: getattr(case, name)
                for name in COLUMNS
                if name not in ("lead_regions", "sectors")
            },
            "lead_regions": set(case.lead_regions.all()),
            "sectors": set(case.sectors.all()),
            "status": case.status,
        }
        for case in Case.objects.all()
    }


@pytest.mark.parametrize("extension", FORMATS)
def test_an_exported_file_edited_and_imported_again_changes_just_that_edit(
    admin_client, world, extension
):
    CaseFactory(
        slug="full-case",
        batch=world["batch"],
        lead_regions=[world["xiamen"], world["pudong"]],
        sectors=[world["transport"], world["digital"]],
        body_en="Full text.\nSecond paragraph.",
        published_on=datetime.date(2021, 5, 12),
    )
    CaseFactory(
        slug="bare-case", theme=None, batch=None, status=Case.Status.DRAFT, published_on=None
    )
    before = catalogue()
    dataset = export(admin_client, extension)
    assert dataset.headers == list(COLUMNS)
    rows = dataset.dict
    edited = next(row for row in rows if row["slug"] == "bare-case")
    edited["title_en"] = "Edited in Excel"

    previewed = preview(admin_client, spreadsheet(rows, extension), extension)
    assert problems(previewed) == []
    confirm(admin_client, previewed)

    before["bare-case"]["title_en"] = "Edited in Excel"
    assert catalogue() == before


@pytest.mark.parametrize("extension", FORMATS)
def test_the_template_names_every_column_and_imports_once_filled_in(admin_client, world, extension):
    response = admin_client.get(reverse("admin:cases_case_import_template", args=[extension]))
    assert response["Content-Disposition"] == f'attachment; filename="cases.{extension}"'
    template = load(response.content, extension)
    assert (template.headers, len(template)) == (list(COLUMNS), 0)

    filled = spreadsheet([good_row(1)], extension, headers=template.headers)
    confirm(admin_client, preview(admin_client, filled, extension))
    assert Case.objects.count() == 1


def test_the_import_page_and_the_docs_describe_every_column(admin_client, world):
    content = admin_client.get(reverse(IMPORT_URL)).content.decode()
    docs = DOCS.read_text()
    for name, help_text in COLUMNS.items():
        assert f"<code>{name}</code>" in content
        assert escape(str(help_text)) in content
        assert f"`{name}`" in docs
    assert "<code>pilot-2020/3</code>" in content  # the batches, as the batch column names them


# Per row: the case's constraints and foreign keys checked, the case and its links written, and
# the row's savepoint. Names are looked up once per file, existing cases read in one query, and
# the history records (with their regions and sectors) written for the whole file at once: none
# in the preview, whose writes are rolled back. (Was about 50 per row, then 10.)
IMPORT_QUERIES_PER_ROW = 5
# An updated row also reads the case's current links (for the preview's diff) and replaces them.
IMPORT_QUERIES_PER_UPDATED_ROW = 15
IMPORT_QUERIES_FIXED = 35


def queries_of(client, rows, django_assert_max_num_queries, per_row=IMPORT_QUERIES_PER_ROW):
    content = spreadsheet(rows)
    budget = IMPORT_QUERIES_FIXED + per_row * len(rows)
    with django_assert_max_num_queries(budget):
        previewed = preview(client, content)
    assert not problems(previewed)
    with django_assert_max_num_queries(budget):
        confirmed = confirm(client, previewed)
    return confirmed


def test_an_import_costs_a_fixed_number_of_queries_per_row(
    admin_client, world, django_assert_max_num_queries
):
    queries_of(admin_client, [good_row(n) for n in range(40)], django_assert_max_num_queries)
    assert Case.objects.filter(slug__startswith="imported-case-").count() == 40
    case = Case.objects.get(slug="imported-case-7")
    assert list(case.lead_regions.all()) == [world["xiamen"]]
    assert list(case.sectors.all()) == [world["transport"]]
    (record,) = case.history.all()  # one creation record, with its regions and sectors
    assert (record.history_type, record.history_user.username) == ("+", "admin")
    assert [row.region_id for row in record.lead_regions.all()] == [world["xiamen"].pk]
    assert [row.servicesector_id for row in record.sectors.all()] == [world["transport"].pk]


def test_updating_cases_by_import_keeps_the_budget_and_one_record_per_save(
    admin_client, world, django_assert_max_num_queries
):
    for n in range(20):
        CaseFactory(slug=f"imported-case-{n}", lead_regions=[world["pudong"]])
    records_before = Case.objects.get(slug="imported-case-3").history.count()
    rows = [good_row(n, title_en=f"Renamed {n}") for n in range(20)]
    queries_of(admin_client, rows, django_assert_max_num_queries, IMPORT_QUERIES_PER_UPDATED_ROW)
    case = Case.objects.get(slug="imported-case-3")
    assert case.title_en == "Renamed 3"
    assert list(case.lead_regions.all()) == [world["xiamen"]]
    assert case.history.count() == records_before + 1
    latest = case.history.first()
    assert (latest.history_type, latest.title_en) == ("~", "Renamed 3")
    assert [row.region_id for row in latest.lead_regions.all()] == [world["xiamen"].pk]


def test_an_import_cannot_take_a_published_cases_batch_or_date(admin_client, world):
    CaseFactory(slug="known-case")
    content = spreadsheet([good_row(1, slug="known-case", batch="", published_on="")])
    lines = problems(preview(admin_client, content))
    assert "Row 2, batch: A published case must belong to a batch." in lines
    assert "Row 2, published_on: A published case needs a publication date." in lines
