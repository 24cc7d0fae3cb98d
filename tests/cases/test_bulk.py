"""The bulk files: built by a command when the catalogue changed, the same rows as the list's
download, a data dictionary for every column, served at stable addresses with an ETag and no
database read; lists too long to download point to them."""

import csv
import io
import json

import openpyxl
import pytest
from django.core.management import call_command

from cases import bulk
from cases.models import Case
from tests.budgets import BULK_FILE_QUERIES
from tests.factories import CaseFactory, DraftCaseFactory, RegionFactory, ServiceSectorFactory

pytestmark = pytest.mark.django_db

FRICTIONLESS_TYPES = {"string", "integer", "number", "boolean", "date", "datetime"}


@pytest.fixture
def built(settings, tmp_path):
    settings.BULK_FILES_DIR = tmp_path
    settings.SITE_URL = "http://testserver"
    region, sector = RegionFactory(slug="xiamen"), ServiceSectorFactory(code="SK")
    for _ in range(4):
        CaseFactory(lead_regions=[region], sectors=[sector])
    DraftCaseFactory(slug="secret-draft", title_en="Secret draft")
    call_command("build_bulk_files", stdout=io.StringIO())
    return tmp_path


def test_the_files_hold_every_published_case_as_the_list_download_does(client, built):
    listed = json.loads(b"".join(client.get("/en/cases/?_export=json").streaming_content))
    assert json.loads((built / "servtrade-cases.json").read_text()) == listed
    raw = (built / "servtrade-cases.csv").read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [row["permalink"] for row in rows] == [row["permalink"] for row in listed]
    sheet = openpyxl.load_workbook(built / "servtrade-cases.xlsx", read_only=True).active
    assert len(list(sheet.iter_rows())) == 1 + len(listed) == 5
    for name in bulk.FILES:
        assert b"Secret draft" not in (built / name).read_bytes()
    manifest = bulk.read_manifest()
    assert manifest["rows"] == 4
    assert manifest["license"]["name"]


def test_the_data_package_describes_every_column_in_both_languages(built):
    package = json.loads((built / "datapackage.json").read_text())
    assert package["licenses"] and package["licenses"][0]["path"].startswith("https://")
    header = next(csv.reader(io.StringIO((built / "servtrade-cases.csv").read_text("utf-8-sig"))))
    for resource in package["resources"]:
        assert (built / resource["path"]).exists()
        fields = resource["schema"]["fields"]
        assert [field["name"] for field in fields] == header
        for field in fields:
            assert field["type"] in FRICTIONLESS_TYPES
            for key in ["title", "title_zh", "description", "description_zh"]:
                assert field[key], (field["name"], key)
            assert field["title"] != field["title_zh"]


def test_they_are_rebuilt_only_when_the_catalogue_changes(built):
    first = bulk.read_manifest()
    assert bulk.build() is None
    Case.objects.filter(slug="secret-draft").update(
        status=Case.Status.PUBLISHED, published_on="2024-01-01"
    )
    rebuilt = bulk.build()
    assert rebuilt["rows"] == 5 and rebuilt["version"] != first["version"]
    assert (
        rebuilt["files"]["servtrade-cases.csv"]["sha256"]
        != first["files"]["servtrade-cases.csv"]["sha256"]
    )
    assert b"Secret draft" in (built / "servtrade-cases.csv").read_bytes()


def test_a_file_is_served_with_an_etag_and_no_database_read(
    client, built, django_assert_num_queries
):
    sha = bulk.read_manifest()["files"]["servtrade-cases.csv"]["sha256"]
    with django_assert_num_queries(BULK_FILE_QUERIES):
        response = client.get(
            "/data/files/servtrade-cases.csv", HTTP_ORIGIN="https://elsewhere.example"
        )
        body = b"".join(response.streaming_content)
    assert response["ETag"] == f'"{sha}"'
    assert response["Last-Modified"]
    assert response["Access-Control-Allow-Origin"] == "*"
    assert body == (built / "servtrade-cases.csv").read_bytes()
    again = client.get("/data/files/servtrade-cases.csv", HTTP_IF_NONE_MATCH=f'"{sha}"')
    assert again.status_code == 304
    for name in ["../settings.py", "manifest.json", "nothing.csv"]:
        assert client.get(f"/data/files/{name}").status_code == 404


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_the_data_page_lists_size_rows_date_and_licence(client, built, lang):
    manifest = bulk.read_manifest()
    html = client.get(f"/{lang}/data/").content.decode()
    for name in bulk.FILES:
        assert f'href="/data/files/{name}"' in html
    assert f"<dd>{manifest['rows']}</dd>" in html
    assert manifest["built_at"][:10] in html
    assert manifest["license"]["path"] in html


def test_the_data_page_says_when_nothing_is_built(client, settings, tmp_path):
    settings.BULK_FILES_DIR = tmp_path / "empty"
    assert "have not been built yet" in client.get("/en/data/").content.decode()


def test_a_list_longer_than_the_limit_points_to_the_bulk_files(client, built, settings):
    settings.EXPORT_ROW_LIMIT = 3
    page = client.get("/en/cases/").content.decode()
    assert 'href="/en/data/"' in page and "_export=csv" not in page
    response = client.get("/en/cases/?_export=csv")
    assert response.status_code == 302 and response["Location"] == "/en/data/?rows=4"
    assert "has 4 cases" in client.get(response["Location"]).content.decode()
    # A short enough list still downloads.
    short = client.get("/en/cases/?_export=csv&q=nothing-matches-this")
    assert short.status_code == 200
