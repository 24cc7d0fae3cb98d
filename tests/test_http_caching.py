"""HTTP caching of public pages: validators from the catalogue version, 304s, shared-cache
headers for anonymous visitors, and never for signed-in staff, draft previews or the admin."""

import pytest
from django.contrib.auth.models import Permission
from django.utils.http import http_date

from cases.models import Case, CatalogueVersion
from tests.factories import CaseFactory, DraftCaseFactory, UserFactory

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["/en/", "/zh-hans/cases/", "/en/cases/?sector=SI", "/en/regions/", "/en/programs/"]


@pytest.fixture
def case():
    return CaseFactory()


def assert_shared_cacheable(response):
    assert response.status_code == 200
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"]
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert cache_control == {"public", "max-age=0", "s-maxage=60"}
    vary = {part.strip().lower() for part in response["Vary"].split(",")}
    assert {"accept-language", "cookie"} <= vary


def assert_never_shared(response):
    assert "ETag" not in response
    assert "public" not in response.get("Cache-Control", "")
    assert "s-maxage" not in response.get("Cache-Control", "")


@pytest.mark.parametrize("url", [*PUBLIC_PAGES, "case"])
def test_anonymous_public_pages_carry_validators_and_a_short_shared_lifetime(client, case, url):
    url = case.get_absolute_url() if url == "case" else url
    assert_shared_cacheable(client.get(url))


def test_a_conditional_get_is_answered_304_with_one_query_and_no_body(
    client, case, django_assert_num_queries
):
    first = client.get("/en/cases/")
    with django_assert_num_queries(1):  # the catalogue version; the view never runs
        again = client.get("/en/cases/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert "s-maxage=60" in again["Cache-Control"]


def test_if_modified_since_alone_is_answered_304_until_the_catalogue_changes(client, case):
    first = client.get("/en/cases/")
    assert (
        client.get("/en/cases/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    )
    changed_at = CatalogueVersion.objects.state()[1]
    assert first["Last-Modified"] == http_date(changed_at.timestamp())


def test_a_write_to_the_catalogue_changes_the_etag_and_the_page(client, case):
    first = client.get("/en/cases/")
    draft = DraftCaseFactory(title_en="Freshly published case")
    Case.objects.filter(pk=draft.pk).publish()
    again = client.get("/en/cases/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert "Freshly published case" in again.content.decode()


def test_each_language_and_each_query_has_its_own_etag(client, case):
    etags = {client.get(url)["ETag"] for url in ["/en/cases/", "/zh-hans/cases/", "/en/cases/?q=x"]}
    assert len(etags) == 3


def test_signed_in_staff_get_private_pages_and_never_a_304(client, case, superuser):
    anonymous = client.get("/en/cases/")
    client.force_login(superuser)
    response = client.get("/en/cases/", HTTP_IF_NONE_MATCH=anonymous["ETag"])
    assert response.status_code == 200
    assert_never_shared(response)
    assert "private" in response["Cache-Control"]


def test_a_draft_preview_is_never_cached(client):
    draft = DraftCaseFactory(batch=None, published_on=None)
    editor = UserFactory(is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="view_case"))
    client.force_login(editor)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert_never_shared(response)
    assert "no-store" in response["Cache-Control"]


def test_the_admin_sign_in_page_and_not_found_pages_are_not_shared(client, case):
    assert_never_shared(client.get("/admin/login/"))
    missing = client.get("/en/cases/no-such-case/")
    assert missing.status_code == 404
    assert_never_shared(missing)


def test_a_head_request_gets_the_same_validators(client, case):
    assert client.head("/en/cases/")["ETag"] == client.get("/en/cases/")["ETag"]


@pytest.mark.urls("tests.urls_extra")
def test_an_address_added_later_gets_the_same_caching_for_free(client, case):
    first = client.get("/data/count.json")
    assert_shared_cacheable(first)
    assert client.get("/data/count.json", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
