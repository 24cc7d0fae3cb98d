"""An editor imports three cases from the template spreadsheet, in the real admin."""

import openpyxl
import pytest
from playwright.sync_api import expect

from cases.models import Case
from tests.factories import (
    CaseBatchFactory,
    PilotProgramFactory,
    RegionFactory,
    ServiceSectorFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = [
    {
        "slug": "",
        "batch": "pilot-2020/3",
        "theme": "制度开放",
        "title_zh": "厦门体育服务贸易创新发展",
        "title_en": "Sports services trade in Xiamen",
        "lead_regions": "厦门市",
        "sectors": "SK",
        "published_on": "2023-11-01",
    },
    {
        "slug": "pudong-data-flows",
        "batch": "pilot-2020/3",
        "theme": "Institutional opening",
        "title_zh": "浦东数据跨境流动",
        "title_en": "Cross-border data flows in Pudong",
        "lead_regions": "浦东新区；厦门市",
        "sectors": "电信、计算机和信息服务",
    },
    {
        "slug": "",
        "batch": "",
        "theme": "",
        "title_zh": "待定批次的案例",
        "title_en": "A case waiting for its batch",
        "lead_regions": "350200",
        "sectors": "",
    },
]


def test_an_editor_imports_the_template_filled_with_three_cases(
    live_server, page, screenshot, make_staff, tmp_path
):
    make_staff("Editor")
    CaseBatchFactory(program=PilotProgramFactory(slug="pilot-2020"), number=3)
    ThemeFactory(name_zh="制度开放", name_en="Institutional opening")
    RegionFactory(name_zh="厦门市", name_en="Xiamen", code="350200")
    RegionFactory(name_zh="浦东新区", name_en="Pudong New Area", code=None)
    ServiceSectorFactory(code="SK", name_zh="个人、文化和娱乐服务")
    ServiceSectorFactory(code="SI", name_zh="电信、计算机和信息服务")

    page.goto(f"{live_server.url}/admin/login/?next=/admin/cases/case/import/")
    page.locator("#id_username").fill("editor")
    page.locator("#id_password").fill("correct horse battery staple")
    page.locator("input[type=submit]").click()
    expect(page.locator("#import-help")).to_be_visible()
    screenshot("admin-import-page")

    with page.expect_download() as download:
        page.locator("#import-help a", has_text="cases.xlsx").click()
    template = tmp_path / download.value.suggested_filename
    download.value.save_as(template)
    workbook = openpyxl.load_workbook(template)
    sheet = workbook.active
    columns = [cell.value for cell in sheet[1]]
    for row in ROWS:
        sheet.append([row.get(column, "") for column in columns])
    filled = tmp_path / "third-batch.xlsx"
    workbook.save(filled)
    sheet.cell(row=3, column=columns.index("title_en") + 1, value="")
    sheet.cell(row=4, column=columns.index("lead_regions") + 1, value="火星市")
    broken = tmp_path / "broken.xlsx"
    workbook.save(broken)

    page.locator("#id_import_file").set_input_files(broken)
    page.locator("input[type=submit]").click()
    problems = page.locator("table.import-preview tbody tr")
    expect(problems).to_have_count(2)
    expect(problems.nth(0).locator("td").first).to_have_text("3")
    expect(problems.nth(1)).to_contain_text("Unknown region “火星市”.")
    expect(page.locator("input[name=confirm]")).to_have_count(0)
    screenshot("admin-import-problems")

    page.locator("#id_import_file").set_input_files(filled)
    expect(page.locator("#id_format option:checked")).to_have_text("xlsx")  # guessed
    page.locator("input[type=submit]").click()

    preview = page.locator("table.import-preview")
    expect(preview.locator("td.import-type", has_text="New")).to_have_count(3)
    expect(preview.get_by_text("Cross-border data flows in Pudong")).to_be_visible()
    assert not Case.objects.exists()
    screenshot("admin-import-preview")

    page.locator("input[name=confirm]").click()

    expect(page.get_by_text("Import finished: 3 new")).to_be_visible()
    assert sorted(Case.objects.values_list("slug", "status")) == [
        ("a-case-waiting-for-its-batch", "draft"),
        ("pudong-data-flows", "draft"),
        ("sports-services-trade-in-xiamen", "draft"),
    ]
    expect(page.locator("#result_list tbody tr")).to_have_count(3)
    screenshot("admin-import-done")
