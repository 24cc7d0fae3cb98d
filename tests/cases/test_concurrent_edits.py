"""Two editors on the same case: the later save is refused, shows what changed, loses nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from cases.models import Case
from tests.admin_forms import admin_form_data
from tests.factories import CaseFactory, RegionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editors(make_staff):
    """Two signed-in editors, each with a browser (client) of their own."""
    clients = []
    for role in ["Editor", "Publisher"]:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(make_staff(role))
        clients.append(client)
    return clients


def open_form(client, case):
    return client.get(reverse("admin:cases_case_change", args=[case.pk]))


def save(client, case, form, **changes):
    url = reverse("admin:cases_case_change", args=[case.pk])
    return client.post(url, admin_form_data(form, **changes), follow=True)


def test_the_second_save_is_refused_and_says_what_the_first_changed(editors):
    first, second = editors
    old_region, new_region = RegionFactory(name_zh="厦门市"), RegionFactory(name_zh="广州市")
    case = CaseFactory(title_en="Harbour services", summary_en="", lead_regions=[old_region])
    first_form, second_form = open_form(first, case), open_form(second, case)

    saved = save(first, case, first_form, title_en="Port services", lead_regions=[new_region.pk])
    assert saved.status_code == 200
    refused = save(second, case, second_form, summary_en="A summary the second editor wrote.")

    assert refused.status_code == 200
    errors = [str(error) for error in refused.context["adminform"].form.non_field_errors()]
    assert errors[0].startswith("editor saved this case at")
    assert "English title: “Harbour services” → “Port services”" in errors
    assert f"Lead regions: “{old_region}” → “{new_region}”" in errors
    assert errors[-1] == "Check their changes, then save again to keep yours."
    # Nothing of the second save reached the database; the first save is intact.
    case.refresh_from_db()
    assert (case.title_en, case.summary_en) == ("Port services", "")
    assert list(case.lead_regions.all()) == [new_region]
    # The second editor's text is still in the form they see.
    assert b"A summary the second editor wrote." in refused.content


def test_saving_again_after_the_refusal_keeps_the_second_editors_version(editors):
    first, second = editors
    case = CaseFactory(title_en="Harbour services")
    first_form, second_form = open_form(first, case), open_form(second, case)
    save(first, case, first_form, title_en="Port services")
    refused = save(second, case, second_form, title_en="Harbour and port services")

    # The refused form, as shown, posted again: the editor has seen the changes and keeps theirs.
    again = second.post(
        reverse("admin:cases_case_change", args=[case.pk]),
        admin_form_data(refused),
        follow=True,
    )
    assert again.status_code == 200
    assert "adminform" not in again.context or not again.context["adminform"].form.errors
    case.refresh_from_db()
    assert case.title_en == "Harbour and port services"
    # Both saves are in the history: nothing is lost.
    titles = list(case.history.values_list("title_en", flat=True))
    assert titles[:3] == ["Harbour and port services", "Port services", "Harbour services"]


def test_an_unpublish_in_between_also_counts_as_a_change(editors):
    first, _second = editors
    case = CaseFactory(status=Case.Status.PUBLISHED)
    form = open_form(first, case)
    Case.objects.filter(pk=case.pk).unpublish()
    refused = save(first, case, form, title_en="Changed after all")
    errors = [str(error) for error in refused.context["adminform"].form.non_field_errors()]
    assert "Status: “published” → “draft”" in errors
    case.refresh_from_db()
    assert case.status == Case.Status.DRAFT
    assert case.title_en != "Changed after all"


def test_one_editor_saving_twice_in_a_row_is_not_a_conflict(admin_client):
    case = CaseFactory(title_en="Harbour services")
    save(admin_client, case, open_form(admin_client, case), title_en="Once")
    response = save(admin_client, case, open_form(admin_client, case), title_en="Twice")
    assert not response.context.get("errors")
    case.refresh_from_db()
    assert (case.title_en, case.version) == ("Twice", 3)


def test_the_history_page_does_not_list_the_version_as_a_change(admin_client):
    case = CaseFactory(title_en="Harbour services")
    save(admin_client, case, open_form(admin_client, case), title_en="Port services")
    history = admin_client.get(reverse("admin:cases_case_history", args=[case.pk]))
    content = history.content.decode()
    assert "Port services" in content
    assert ">version<" not in content.lower() and "Version" not in content
