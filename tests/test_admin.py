"""Every admin page opens for a superuser within a fixed query budget."""

import pytest
from django.urls import reverse

from cases.models import Case
from tests.budgets import CHANGELIST_BUDGET, FORM_BUDGET
from tests.factories import (
    AdoptionFactory,
    CaseBatchFactory,
    CaseFactory,
    DraftCaseFactory,
    MembershipFactory,
    PilotProgramFactory,
    RegionFactory,
    ServiceSectorFactory,
    SourceFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

ADMIN_MODELS = [
    ("regions", "region"),
    ("regions", "pilotprogram"),
    ("cases", "theme"),
    ("cases", "servicesector"),
    ("cases", "casebatch"),
    ("cases", "case"),
    ("cases", "source"),
    ("cases", "adoption"),
]


def populate(rows):
    program = PilotProgramFactory()
    batch = CaseBatchFactory(program=program)
    for _ in range(rows):
        membership = MembershipFactory(program=program)
        CaseFactory(
            batch=batch,
            theme=ThemeFactory(),
            lead_regions=[membership.region, RegionFactory()],
            sectors=[ServiceSectorFactory()],
            sources=[SourceFactory()],
        )
        AdoptionFactory(region=membership.region)
    return batch


@pytest.mark.parametrize("rows", [3, 30])
@pytest.mark.parametrize(("app", "model"), ADMIN_MODELS)
def test_changelists_run_a_fixed_number_of_queries(
    admin_client, django_assert_max_num_queries, app, model, rows
):
    populate(rows)
    with django_assert_max_num_queries(CHANGELIST_BUDGET):
        response = admin_client.get(reverse(f"admin:{app}_{model}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize(("app", "model"), ADMIN_MODELS)
def test_add_pages_open(admin_client, django_assert_max_num_queries, app, model):
    populate(3)
    with django_assert_max_num_queries(FORM_BUDGET):
        response = admin_client.get(reverse(f"admin:{app}_{model}_add"))
    assert response.status_code == 200


@pytest.mark.parametrize(("app", "model"), ADMIN_MODELS)
def test_change_pages_open(admin_client, django_assert_max_num_queries, app, model):
    batch = populate(3)
    from django.apps import apps

    obj = (
        apps.get_model(app, model)
        .objects.filter(**({"pk": batch.pk} if model == "casebatch" else {}))
        .first()
    )
    with django_assert_max_num_queries(FORM_BUDGET):
        response = admin_client.get(reverse(f"admin:{app}_{model}_change", args=[obj.pk]))
    assert response.status_code == 200


def test_the_case_changelist_shows_both_titles_and_lead_regions(admin_client):
    region = RegionFactory(name_zh="厦门市")
    CaseFactory(title_zh="体育服务贸易", title_en="Sports services trade", lead_regions=[region])
    content = admin_client.get(reverse("admin:cases_case_changelist")).content.decode()
    assert "体育服务贸易" in content
    assert "Sports services trade" in content
    assert "厦门市" in content


def test_the_case_changelist_searches_both_languages(admin_client):
    CaseFactory(title_zh="数据跨境安全管理", title_en="Cross-border data security")
    CaseFactory(
        title_zh="体育服务贸易",
        title_en="Sports services trade",
        summary_zh="厦门体育",
        summary_en="Xiamen sports",
    )
    url = reverse("admin:cases_case_changelist")
    assert admin_client.get(url, {"q": "数据"}).context["cl"].result_count == 1
    assert admin_client.get(url, {"q": "sports"}).context["cl"].result_count == 1


def test_the_case_changelist_filters_by_program(admin_client):
    kept = CaseFactory()
    CaseFactory(batch=CaseBatchFactory(program=PilotProgramFactory()))
    url = reverse("admin:cases_case_changelist")
    response = admin_client.get(url, {"batch__program__id__exact": kept.batch.program_id})
    assert list(response.context["cl"].result_list) == [kept]


def test_the_publish_action_publishes_selected_cases(admin_client):
    drafts = DraftCaseFactory.create_batch(2)
    response = admin_client.post(
        reverse("admin:cases_case_changelist"),
        {"action": "publish", "_selected_action": [case.pk for case in drafts]},
        follow=True,
    )
    assert response.status_code == 200
    assert Case.objects.published().count() == 2
    assert "2 cases published." in response.content.decode()


def test_the_publish_action_publishes_nothing_when_a_case_has_no_batch(admin_client):
    ready = DraftCaseFactory()
    orphan = DraftCaseFactory(batch=None)
    response = admin_client.post(
        reverse("admin:cases_case_changelist"),
        {"action": "publish", "_selected_action": [ready.pk, orphan.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert not Case.objects.published().exists()
    assert str(orphan) in response.content.decode()


def test_the_unpublish_action_returns_cases_to_draft(admin_client):
    published = CaseFactory()
    admin_client.post(
        reverse("admin:cases_case_changelist"),
        {"action": "unpublish", "_selected_action": [published.pk]},
    )
    published.refresh_from_db()
    assert published.status == Case.Status.DRAFT


def test_the_batch_changelist_says_how_many_cases_are_catalogued(admin_client):
    batch = CaseBatchFactory(official_case_count=25)
    CaseFactory.create_batch(3, batch=batch)
    content = admin_client.get(reverse("admin:cases_casebatch_changelist")).content.decode()
    assert "3 of 25" in content


def test_a_duplicate_slug_in_the_admin_form_is_an_error_not_a_crash(admin_client):
    existing = CaseFactory(slug="beijing-data")
    response = admin_client.post(
        reverse("admin:cases_case_add"),
        {
            "title_zh": "另一个",
            "title_en": "Another",
            "slug": existing.slug,
            "status": Case.Status.DRAFT,
        },
    )
    assert response.status_code == 200
    assert "slug" in response.context["adminform"].form.errors


def test_the_case_changelist_filters_by_sector_and_region_without_distinct(admin_client):
    guangzhou, beijing = RegionFactory(), RegionFactory()
    data = ServiceSectorFactory(code="SI")
    CaseFactory(title_en="Wanted", sectors=[data], lead_regions=[guangzhou, beijing])
    CaseFactory(title_en="Other region", sectors=[data], lead_regions=[beijing])
    CaseFactory(title_en="No sector", lead_regions=[guangzhou])
    changelist = reverse("admin:cases_case_changelist")
    response = admin_client.get(changelist, {"sectors": data.pk, "lead_regions": guangzhou.pk})
    shown = [case.title_en for case in response.context["cl"].result_list]
    assert shown == ["Wanted"]
    assert not response.context["cl"].queryset.query.distinct


def test_the_case_changelist_offers_only_sectors_and_regions_in_use(admin_client):
    used, unused = ServiceSectorFactory(code="SI"), ServiceSectorFactory(code="SK")
    region = RegionFactory(name_en="Used city")
    CaseFactory(sectors=[used], lead_regions=[region])
    RegionFactory(name_en="Unused city")
    response = admin_client.get(reverse("admin:cases_case_changelist"))
    assert f"?sectors={used.pk}" in response.text
    assert f"?sectors={unused.pk}" not in response.text
    assert f"?lead_regions={region.pk}" in response.text


def test_an_unknown_sector_in_the_changelist_filter_shows_nothing_not_an_error(admin_client):
    CaseFactory(sectors=[ServiceSectorFactory(code="SI")])
    response = admin_client.get(reverse("admin:cases_case_changelist"), {"sectors": "abc"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


@pytest.mark.parametrize(
    ("changelist", "factory"),
    [
        ("admin:regions_region_changelist", RegionFactory),
        ("admin:cases_case_changelist", CaseFactory),
    ],
)
def test_editors_clear_the_verification_flag_of_many_records_at_once(
    admin_client, changelist, factory
):
    checked = factory.create_batch(2, needs_verification=True)
    unchecked = factory(needs_verification=True)
    response = admin_client.post(
        reverse(changelist),
        {"action": "clear_verification", "_selected_action": [r.pk for r in checked]},
        follow=True,
    )
    assert "2 records marked as checked." in response.content.decode()
    model = type(unchecked)
    assert not model.objects.filter(pk__in=[r.pk for r in checked], needs_verification=True)
    assert model.objects.get(pk=unchecked.pk).needs_verification
    # Each record's history says the flag was cleared, and by whom.
    latest = model.history.filter(id=checked[0].pk).latest("history_date")
    assert latest.history_user.username == "admin" and not latest.needs_verification
