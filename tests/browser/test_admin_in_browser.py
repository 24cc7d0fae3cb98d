import pytest

from tests.factories import CaseFactory, SuperuserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_editor_logs_in_and_finds_a_case_in_the_admin(live_server, page, screenshot):
    SuperuserFactory(username="editor", password="correct horse battery staple")
    CaseFactory(title_zh="体育服务贸易创新发展", title_en="Sports services trade")

    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("用户名").or_(page.get_by_label("Username")).fill("editor")
    page.locator("#id_password").fill("correct horse battery staple")
    page.locator("input[type=submit]").click()
    page.goto(f"{live_server.url}/admin/cases/case/?q=体育")

    assert page.locator("#result_list").get_by_text("体育服务贸易创新发展").is_visible()
    screenshot("admin-case-changelist")
