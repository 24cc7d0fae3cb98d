"""Replication: which region adopted which case, reviewed like cases, shown where it matters."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from cases import counting
from cases.models import Adoption, Case
from cases.roles import EDITOR, PUBLISHER
from tests.admin_forms import post_action
from tests.factories import (
    AdoptionFactory,
    CaseBatchFactory,
    CaseFactory,
    MembershipFactory,
    PilotProgramFactory,
    ProvinceFactory,
    RegionFactory,
)

pytestmark = pytest.mark.django_db

DRAFT, IN_REVIEW, PUBLISHED = Case.Status.DRAFT, Case.Status.IN_REVIEW, Case.Status.PUBLISHED


def url(name, *args, lang="en", query=""):
    with translation.override(lang):
        return reverse(name, args=args) + (f"?{query}" if query else "")


@pytest.fixture
def places():
    """Shanghai and Chongqing, both pilot regions, and Lhasa, which is not one."""
    program = PilotProgramFactory(slug="pilot-2020")
    shanghai = ProvinceFactory(slug="shanghai", name_zh="上海市", name_en="Shanghai")
    chongqing = ProvinceFactory(slug="chongqing", name_zh="重庆市", name_en="Chongqing")
    for region in (shanghai, chongqing):
        MembershipFactory(program=program, region=region)
    lhasa = RegionFactory(slug="lhasa", name_en="Lhasa")
    return {"program": program, "shanghai": shanghai, "chongqing": chongqing, "lhasa": lhasa}


def shanghai_case(places, **kwargs):
    return CaseFactory(
        slug="shanghai-data",
        title_en="Shanghai data exchange",
        lead_regions=[places["shanghai"]],
        **kwargs,
    )


def test_a_region_cannot_adopt_a_case_it_leads(places):
    case = shanghai_case(places)
    adoption = Adoption(
        case=case,
        region=places["shanghai"],
        evidence_url="https://example.org/a",
        evidence_quote="借鉴",
    )
    with pytest.raises(ValidationError, match="leads the case"):
        adoption.full_clean()


def test_an_adoption_is_recorded_once_per_region(places):
    case = shanghai_case(places)
    AdoptionFactory(case=case, region=places["chongqing"])
    duplicate = Adoption(
        case=case,
        region=places["chongqing"],
        evidence_url="https://example.org/a",
        evidence_quote="借鉴",
    )
    with pytest.raises(ValidationError, match="adoption of this case is recorded"):
        duplicate.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_evidence_link_and_quote_are_required(places):
    adoption = Adoption(case=shanghai_case(places), region=places["chongqing"])
    with pytest.raises(ValidationError) as error:
        adoption.full_clean()
    assert {"evidence_url", "evidence_quote"} <= set(error.value.message_dict)


def test_adoptions_move_through_review_to_publication_and_back_with_history(places):
    adoption = AdoptionFactory(case=shanghai_case(places), region=places["chongqing"], status=DRAFT)
    assert Adoption.objects.submit_for_review() == 1
    assert Adoption.objects.publish() == 1
    assert Adoption.objects.get().status == PUBLISHED
    assert Adoption.objects.unpublish() == 1
    assert Adoption.objects.get().status == DRAFT
    statuses = [record.status for record in adoption.history.order_by("history_id")]
    assert statuses == [DRAFT, IN_REVIEW, PUBLISHED, DRAFT]


def test_only_published_adoptions_of_published_cases_are_public(places):
    case = shanghai_case(places)
    AdoptionFactory(case=case, region=places["chongqing"])
    AdoptionFactory(case=case, region=places["lhasa"], status=IN_REVIEW)
    hidden = CaseFactory(status=DRAFT, published_on=None)
    AdoptionFactory(case=hidden, region=places["chongqing"])
    assert [(a.case, a.region) for a in Adoption.objects.public()] == [(case, places["chongqing"])]


def test_adoption_counts_add_nationwide_replication_without_counting_twice(places):
    nationwide = CaseBatchFactory(program=places["program"], replicated_nationwide=True)
    # Every pilot region (Shanghai, Chongqing) but its own lead (Shanghai): 1; a row for
    # Chongqing adds nothing; Lhasa, outside the pilot, adds one.
    replicated = shanghai_case(places, batch=nationwide)
    AdoptionFactory(case=replicated, region=places["chongqing"])
    AdoptionFactory(case=replicated, region=places["lhasa"])
    plain = CaseFactory(lead_regions=[places["shanghai"]])
    AdoptionFactory(case=plain, region=places["chongqing"])
    AdoptionFactory(case=plain, region=places["lhasa"], status=DRAFT)
    nobody = CaseFactory(lead_regions=[places["chongqing"]])
    counts = dict(Case.objects.with_adoption_counts().values_list("pk", "adoption_count"))
    assert counts == {replicated.pk: 2, plain.pk: 1, nobody.pk: 0}
    assert set(Case.objects.adopted_elsewhere()) == {replicated, plain}


def test_a_pilot_region_adopts_the_cases_of_a_batch_replicated_nationwide(places):
    nationwide = CaseBatchFactory(program=places["program"], replicated_nationwide=True)
    own = shanghai_case(places, batch=nationwide)
    other = CaseFactory(batch=nationwide, lead_regions=[places["chongqing"]])
    explicit = CaseFactory(lead_regions=[places["chongqing"]])
    AdoptionFactory(case=explicit, region=places["shanghai"])
    assert set(Case.objects.adopted_by(places["shanghai"])) == {other, explicit}
    assert set(Case.objects.adopted_by(places["chongqing"])) == {own}
    assert set(Case.objects.adopted_by(places["lhasa"])) == set()


def test_the_case_page_shows_where_it_came_from_and_who_adopted_it(client, places):
    case = shanghai_case(places)
    AdoptionFactory(
        case=case,
        region=places["chongqing"],
        extent=Adoption.Extent.PARTIAL,
        adopted_on=datetime.date(2024, 3, 5),
        evidence_url="https://cq.example.gov.cn/report",
        evidence_quote="重庆借鉴上海经验<script>alert(1)</script>",
    )
    AdoptionFactory(case=case, region=places["lhasa"], status=DRAFT)
    text = client.get(url("cases:case-detail", case.slug)).text
    assert 'Originated in:</strong> <a href="/en/regions/shanghai/">Shanghai</a>' in text
    assert '<a href="/en/regions/chongqing/">Chongqing</a>' in text
    assert "adopted in part" in text and "2024-03-05" in text
    assert 'href="https://cq.example.gov.cn/report"' in text
    assert "重庆借鉴上海经验&lt;script&gt;" in text
    assert "Lhasa" not in text


def test_the_case_page_of_a_batch_replicated_nationwide_counts_the_pilot_regions(client, places):
    nationwide = CaseBatchFactory(program=places["program"], replicated_nationwide=True)
    for _ in range(3):
        MembershipFactory(program=places["program"])
    case = shanghai_case(places, batch=nationwide)
    text = client.get(url("cases:case-detail", case.slug)).text
    assert "Replicated nationwide" in text
    assert "so 4 other pilot regions adopted it." in text
    assert "No adoption by another region is recorded yet." not in text
    # The pilot regions are read once per catalogue version: a new member is a new version.
    MembershipFactory(program=places["program"])
    text = client.get(url("cases:case-detail", case.slug)).text
    assert "so 5 other pilot regions adopted it." in text


@pytest.mark.parametrize("bitmaps", [False, True])
def test_a_case_nobody_adopted_says_so(client, places, bitmaps):
    """With the case bitmaps there, a case nobody adopted reads no adoptions (one query less);
    one adopted still shows its adoption, read from the database."""
    case = shanghai_case(places)
    adopted = CaseFactory(slug="adopted", lead_regions=[places["shanghai"]])
    AdoptionFactory(case=adopted, region=places["chongqing"])
    counting.forget()
    if bitmaps:
        counting.build_and_keep()
    with CaptureQueriesContext(connection) as queries:
        text = client.get(url("cases:case-detail", case.slug)).text
    assert "No adoption by another region is recorded yet." in text
    read = [query["sql"] for query in queries if 'FROM "cases_adoption"' in query["sql"]]
    assert len(read) == (0 if bitmaps else 1)
    text = client.get(url("cases:case-detail", adopted.slug)).text
    assert '<a href="/en/regions/chongqing/">Chongqing</a>' in text


def test_region_pages_show_what_they_originated_and_adopted(client, places):
    case = shanghai_case(places)
    AdoptionFactory(case=case, region=places["chongqing"], evidence_quote="重庆复制推广")
    nationwide = CaseBatchFactory(program=places["program"], replicated_nationwide=True)
    CaseFactory(batch=nationwide, title_en="A 2016 experience", lead_regions=[places["shanghai"]])
    chongqing = client.get(url("regions:region-detail", "chongqing")).text
    adopted = chongqing[chongqing.index('id="adopted"') :]
    assert 'href="/en/cases/shanghai-data/"' in adopted and "重庆复制推广" in adopted
    assert "A 2016 experience" in adopted
    assert '<span class="count">2</span>' in adopted
    shanghai = client.get(url("regions:region-detail", "shanghai")).text
    assert "Shanghai data exchange" in shanghai[: shanghai.index('id="adopted"')]
    assert "No adoption by this region is recorded yet." in shanghai
    # Outside the pilot, a nationwide replication is not an adoption.
    lhasa = client.get(url("regions:region-detail", "lhasa")).text
    assert "A 2016 experience" not in lhasa


def test_the_list_filters_cases_adopted_elsewhere_and_sorts_by_adoptions(
    client, places, django_assert_max_num_queries
):
    from tests.budgets import CASE_LIST_QUERIES

    once = CaseFactory(title_en="Adopted once", lead_regions=[places["shanghai"]])
    twice = CaseFactory(title_en="Adopted twice", lead_regions=[places["shanghai"]])
    CaseFactory(title_en="Never adopted", lead_regions=[places["shanghai"]])
    AdoptionFactory(case=once, region=places["chongqing"])
    AdoptionFactory(case=twice, region=places["chongqing"])
    AdoptionFactory(case=twice, region=places["lhasa"])
    with django_assert_max_num_queries(CASE_LIST_QUERIES):
        response = client.get(url("cases:case-list", query="adopted=elsewhere&sort=-adoptions"))
    titles = [str(row.record.title) for row in response.context["table"].paginated_rows]
    assert titles == ["Adopted twice", "Adopted once"]
    assert '<td data-label="Adopted by">2 regions</td>' in response.text
    facets = {facet.name: facet for facet in response.context["facets"]}
    assert [(o.key, o.count, o.selected) for o in facets["adopted"].options] == [
        ("elsewhere", 2, True)
    ]
    ascending = client.get(url("cases:case-list", query="sort=adoptions"))
    titles = [str(row.record.title) for row in ascending.context["table"].paginated_rows]
    assert titles[0] == "Never adopted"


def test_the_download_carries_the_adoption_count(client, places):
    case = shanghai_case(places)
    AdoptionFactory(case=case, region=places["chongqing"])
    response = client.get(url("cases:case-list", query="_export=json"))
    assert [row["adoptions"] for row in json.loads(response.getvalue())] == [1]


def test_an_editor_records_an_adoption_a_publisher_publishes_it(client, places, make_staff):
    """The issue's walk-through: Chongqing adopts a Shanghai case; public once published."""
    case = shanghai_case(places)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(make_staff(EDITOR))
    response = client.post(
        reverse("admin:cases_adoption_add"),
        {
            "case": case.pk,
            "region": places["chongqing"].pk,
            "extent": "full",
            "adopted_on": "2024-06-01",
            "evidence_url": "https://cq.example.gov.cn/notice",
            "evidence_quote": "复制推广上海数据交易经验",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    adoption = Adoption.objects.get()
    assert adoption.status == DRAFT
    post_action(client, "cases", "adoption", "submit_for_review", [adoption])
    # An editor may not publish: the action is unknown to them.
    post_action(client, "cases", "adoption", "publish", [adoption])
    assert Adoption.objects.get().status == IN_REVIEW
    for page in (
        url("cases:case-detail", case.slug),
        url("regions:region-detail", "chongqing"),
    ):
        assert "复制推广上海数据交易经验" not in client.get(page).text
    client.force_login(make_staff(PUBLISHER))
    response = post_action(client, "cases", "adoption", "publish", [adoption])
    assert "1 adoption published." in response.text
    client.logout()
    for page in (
        url("cases:case-detail", case.slug),
        url("regions:region-detail", "chongqing"),
        url("regions:region-detail", "shanghai", lang="zh-hans"),
    ):
        text = client.get(page).text
        assert "shanghai-data" in text and "chongqing" in text, page
    assert "复制推广上海数据交易经验" in client.get(url("cases:case-detail", case.slug)).text


def test_a_region_leading_the_case_is_refused_in_the_admin_form(admin_client, places):
    case = shanghai_case(places)
    response = admin_client.post(
        reverse("admin:cases_adoption_add"),
        {
            "case": case.pk,
            "region": places["shanghai"].pk,
            "extent": "full",
            "evidence_url": "https://example.org/x",
            "evidence_quote": "x",
        },
    )
    assert response.status_code == 200
    assert "This region leads the case; it cannot also adopt it." in response.text
    assert not Adoption.objects.exists()
