"""Translation state: texts in one language only, counted, filtered, filled in side by side."""

import pytest
from django.urls import reverse
from django.utils import translation

from cases.models import Case
from tests.admin_forms import field_values
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases():
    return {
        "complete": CaseFactory(slug="complete", title_en="Complete"),
        "no-english-title": CaseFactory(slug="no-english-title", title_en=""),
        "no-chinese-summary": CaseFactory(slug="no-chinese-summary", summary_zh=""),
        "no-english-body": CaseFactory(slug="no-english-body", body_zh="全文", body_en=""),
        # Missing in both languages is not a translation gap: there is nothing to translate.
        "no-summary": CaseFactory(slug="no-summary", summary_zh="", summary_en=""),
    }


def slugs(queryset):
    return sorted(case.slug for case in queryset)


def test_cases_missing_a_language_are_found_per_language(cases):
    assert slugs(Case.objects.missing_in("en")) == ["no-english-body", "no-english-title"]
    assert slugs(Case.objects.missing_in("zh")) == ["no-chinese-summary"]
    assert slugs(Case.objects.needing_translation()) == [
        "no-chinese-summary",
        "no-english-body",
        "no-english-title",
    ]


def test_translation_counts_come_in_one_query(cases, django_assert_num_queries):
    with django_assert_num_queries(1):
        counts = Case.objects.translation_counts()
    assert counts == {
        ("title", "zh"): 0,
        ("title", "en"): 1,
        ("summary", "zh"): 1,
        ("summary", "en"): 0,
        ("body", "zh"): 0,
        ("body", "en"): 1,
    }


def test_the_needs_translation_page_shows_counts_and_work(admin_client, cases):
    response = admin_client.get(reverse("admin:cases_case_translations"))
    assert response.status_code == 200
    text = response.text
    assert "3 cases have a text in one language only." in text
    assert 'href="/admin/cases/case/?translation=en">1</a>' in text
    assert reverse("admin:cases_case_translate", args=[cases["no-english-title"].pk]) in text
    assert reverse("admin:cases_case_translate", args=[cases["complete"].pk]) not in text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("missing", ["no-chinese-summary", "no-english-body", "no-english-title"]),
        ("zh", ["no-chinese-summary"]),
        ("en", ["no-english-body", "no-english-title"]),
    ],
)
def test_the_case_list_filters_by_translation_state(admin_client, cases, value, expected):
    response = admin_client.get(reverse("admin:cases_case_changelist"), {"translation": value})
    assert slugs(response.context["cl"].result_list) == expected


def test_the_side_by_side_form_puts_chinese_left_and_saves_with_history(admin_client, cases):
    case = cases["no-english-title"]
    page = reverse("admin:cases_case_translate", args=[case.pk])
    response = admin_client.get(page)
    text = response.text
    assert text.index('name="title_zh"') < text.index('name="title_en"')
    assert text.index('lang="zh-Hans"') < text.index('<div class="column-head" lang="en">')
    history = case.history.count()
    data = {**field_values(response.context["form"]), "title_en": "Safe data flows"}
    response = admin_client.post(page, {**data, "next": "overview"})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:cases_case_translations")
    case.refresh_from_db()
    assert case.title_en == "Safe data flows"
    assert case.history.count() == history + 1
    assert not Case.objects.missing_in("en").filter(pk=case.pk).exists()


def test_the_side_by_side_form_refuses_a_case_without_any_title(admin_client, cases):
    case = cases["complete"]
    page = reverse("admin:cases_case_translate", args=[case.pk])
    shown = field_values(admin_client.get(page).context["form"])
    data = {**shown, "title_zh": "", "title_en": ""}
    response = admin_client.post(page, data)
    assert response.status_code == 400
    assert "A case needs a title in at least one language." in response.text
    case.refresh_from_db()
    assert case.title_en == "Complete"


def test_a_viewer_without_change_rights_cannot_translate(client, cases, make_staff):
    from django.contrib.auth.models import Permission

    viewer = make_staff("Editor")
    viewer.groups.clear()
    viewer.user_permissions.add(Permission.objects.get(codename="view_case"))
    client.force_login(viewer)
    page = reverse("admin:cases_case_translate", args=[cases["complete"].pk])
    assert client.get(page).status_code == 403


def test_the_case_form_says_what_is_missing_and_links_the_side_by_side_form(admin_client, cases):
    case = cases["no-english-title"]
    text = admin_client.get(reverse("admin:cases_case_change", args=[case.pk])).text
    assert "Missing: English title." in text
    assert reverse("admin:cases_case_translate", args=[case.pk]) in text


def test_the_public_both_languages_page_shows_each_language_marked(client, cases):
    with translation.override("en"):
        page = reverse("cases:case-both-languages", args=["no-english-title"])
    response = client.get(page)
    assert response.status_code == 200
    text = response.text
    case = cases["no-english-title"]
    assert f'<h2 id="zh-title">{case.title_zh}</h2>' in text
    assert "No English title yet." in text
    assert text.index('<article lang="zh-Hans"') < text.index('<article lang="en"')
    assert (
        'href="/en/cases/no-english-title/both-languages/"'
        in client.get(case.get_absolute_url().replace("/zh-hans/", "/en/")).text
    )


def test_a_draft_has_no_public_both_languages_page(client):
    draft = CaseFactory(status=Case.Status.DRAFT, published_on=None)
    with translation.override("en"):
        page = reverse("cases:case-both-languages", args=[draft.slug])
    assert client.get(page).status_code == 404
