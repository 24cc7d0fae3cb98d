"""Who may do what in the admin: anonymous, editor, publisher, superuser x each action.

Every action is a plain POST (or GET), as a browser would send it. For a role whose pages do not
offer the action it is a forged request, and the server must refuse it: the check is what the
database holds afterwards, not what the page showed.
"""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from cases.models import Case
from cases.roles import EDITOR, PUBLISHER, ROLES
from tests.factories import CaseFactory, DraftCaseFactory, ThemeFactory

pytestmark = pytest.mark.django_db

DRAFT, IN_REVIEW, PUBLISHED = Case.Status.DRAFT, Case.Status.IN_REVIEW, Case.Status.PUBLISHED


def admin_url(name, *args):
    return reverse(f"admin:cases_case_{name}", args=args)


def status_of(case):
    return Case.objects.get(pk=case.pk).status


def case_form(case, **changes):
    """The case form's fields as posted, for a client that need not have seen the form."""
    return {
        "batch": case.batch_id,
        "theme": case.theme_id,
        "title_zh": case.title_zh,
        "title_en": case.title_en,
        "slug": case.slug,
        "lead_regions": [region.pk for region in case.lead_regions.all()],
        "published_on": case.published_on or "",
        **changes,
    }


def run_action(client, action, case):
    client.post(admin_url("changelist"), {"action": action, "_selected_action": [case.pk]})


def view_the_admin(client):
    return client.get(reverse("admin:index")).status_code == 200


def add_a_case(client):
    data = {
        "title_zh": "新案例",
        "title_en": "A new case",
        "slug": "a-new-case",
        "status": PUBLISHED,
    }
    client.post(admin_url("add"), data)
    return Case.objects.filter(slug="a-new-case", status=DRAFT).exists()


def change_a_case(client):
    case = CaseFactory()
    client.post(admin_url("change", case.pk), case_form(case, title_en="Changed"))
    return Case.objects.get(pk=case.pk).title_en == "Changed"


def submit_a_case_for_review(client):
    case = CaseFactory(status=DRAFT)
    run_action(client, "submit_for_review", case)
    return status_of(case) == IN_REVIEW


def publish_a_case(client):
    case = DraftCaseFactory(status=IN_REVIEW)
    run_action(client, "publish", case)
    return status_of(case) == PUBLISHED


def publish_a_case_from_its_page(client):
    case = DraftCaseFactory(status=IN_REVIEW)
    client.post(
        admin_url("change", case.pk), {"CHANGE_FORM-action": "publish", "_selected_action": case.pk}
    )
    return status_of(case) == PUBLISHED


def publish_a_case_by_setting_its_status_in_the_form(client):
    case = DraftCaseFactory(status=IN_REVIEW)
    client.post(admin_url("change", case.pk), case_form(case, status=PUBLISHED))
    return status_of(case) == PUBLISHED


def unpublish_a_case(client):
    case = CaseFactory(status=PUBLISHED)
    run_action(client, "unpublish", case)
    return status_of(case) == DRAFT


def delete_a_case(client):
    case = CaseFactory()
    client.post(admin_url("delete", case.pk), {"post": "yes"})
    return not Case.objects.filter(pk=case.pk).exists()


def delete_a_case_from_the_list(client):
    case = CaseFactory()
    client.post(
        admin_url("changelist"),
        {"action": "delete_selected", "_selected_action": [case.pk], "post": "yes"},
    )
    return not Case.objects.filter(pk=case.pk).exists()


def publish_a_batch(client):
    case = DraftCaseFactory()
    client.post(
        reverse("admin:cases_casebatch_changelist"),
        {"action": "publish_batch", "_selected_action": [case.batch_id]},
    )
    return status_of(case) == PUBLISHED


def view_a_cases_history(client):
    return client.get(admin_url("history", CaseFactory().pk)).status_code == 200


def revert_a_case(client):
    case = CaseFactory(title_en="First")
    first = case.history.first()
    case.title_en = "Second"
    case.save()
    client.post(admin_url("simple_history", case.pk, first.pk), case_form(case, title_en="First"))
    return Case.objects.get(pk=case.pk).title_en == "First"


def import_a_case(client):
    upload = SimpleUploadedFile("cases.csv", "slug,title_zh,title_en\nnew,新案例,New\n".encode())
    previewed = client.post(
        reverse("admin:cases_case_import"), {"import_file": upload, "format": 1}
    )
    if previewed.status_code == 200:
        form = previewed.context["confirm_form"]
        client.post(reverse("admin:cases_case_process_import"), form.initial)
    return Case.objects.filter(slug="new", status=DRAFT).exists()


def export_the_cases(client):
    CaseFactory(slug="exported")
    response = client.post(
        reverse("admin:cases_case_export"), {"format": 1, "caseresource_slug": "on"}
    )
    return response.status_code == 200 and b"exported" in response.content


def change_a_theme(client):
    theme = ThemeFactory(name_en="Old")
    client.post(
        reverse("admin:cases_theme_change", args=[theme.pk]),
        {"name_zh": theme.name_zh, "name_en": "New", "slug": theme.slug, "position": 0},
    )
    theme.refresh_from_db()
    return theme.name_en == "New"


STAFF = {"editor", "publisher", "superuser"}
SENIOR = {"publisher", "superuser"}
MATRIX = [
    (view_the_admin, STAFF),
    (add_a_case, STAFF),
    (change_a_case, STAFF),
    (submit_a_case_for_review, STAFF),
    (publish_a_case, SENIOR),
    (publish_a_case_from_its_page, SENIOR),
    # The status is read-only in the form for everyone: only the actions change it.
    (publish_a_case_by_setting_its_status_in_the_form, set()),
    (unpublish_a_case, SENIOR),
    (delete_a_case, SENIOR),
    (delete_a_case_from_the_list, SENIOR),
    (publish_a_batch, SENIOR),
    (view_a_cases_history, STAFF),
    (revert_a_case, STAFF),
    (import_a_case, STAFF),
    (export_the_cases, STAFF),
    (change_a_theme, {"superuser"}),
]
ACTORS = ["anonymous", "editor", "publisher", "superuser"]


@pytest.fixture
def signed_in(client, make_staff, superuser):
    def sign_in(actor):
        if actor == "superuser":
            client.force_login(superuser)
        elif actor != "anonymous":
            client.force_login(make_staff(actor.capitalize()))
        return client

    return sign_in


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(
    ("action", "allowed"), MATRIX, ids=[action.__name__ for action, _allowed in MATRIX]
)
def test_each_role_may_do_exactly_what_the_matrix_allows(signed_in, actor, action, allowed):
    assert action(signed_in(actor)) == (actor in allowed)


def test_the_migration_gives_the_roles_the_permissions_the_code_lists():
    for name, permissions in ROLES.items():
        group = Group.objects.get(name=name)
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert granted == set(permissions), f"{name}: add a data migration for cases/roles.py"


def sign_in(client, username, password):
    """Through the admin's sign-in form, as a person does (and as django-axes watches)."""
    response = client.post(
        reverse("admin:login"), {"username": username, "password": password, "next": "/admin/"}
    )
    return response.status_code == 302 and "_auth_user_id" in client.session


def test_create_staff_user_makes_an_editor_who_can_sign_in(client):
    call_command("create_staff_user", "wang", "--role", "editor", "--password", "a-l0ng-passphrase")
    assert sign_in(client, "wang", "a-l0ng-passphrase")
    assert client.get(reverse("admin:index")).status_code == 200
    assert [group.name for group in Group.objects.filter(user__username="wang")] == [EDITOR]


def test_create_staff_user_turns_an_editor_into_a_publisher(client):
    call_command("create_staff_user", "li", "--role", "editor", "--password", "a-l0ng-passphrase")
    call_command("create_staff_user", "li", "--role", "publisher", "--password", "an0ther-phrase")
    assert sign_in(client, "li", "an0ther-phrase")
    assert [group.name for group in Group.objects.filter(user__username="li")] == [PUBLISHER]


def test_create_staff_user_refuses_a_weak_password():
    with pytest.raises(CommandError):
        call_command("create_staff_user", "zhao", "--role", "editor", "--password", "password")
    assert not Group.objects.filter(user__username="zhao").exists()
