"""The read-only API: same cases as the public list, drafts never shown, errors in JSON that
name the parameter, pagination, CORS, throttling, the schema and its offline docs."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from cases.models import Case
from tests.budgets import API_CASE_LIST_QUERIES, API_CASE_LIST_QUERIES_WARM, API_LIST_QUERIES
from tests.factories import (
    AdoptionFactory,
    CaseBatchFactory,
    CaseFactory,
    DraftCaseFactory,
    MembershipFactory,
    ProvinceFactory,
    RegionFactory,
    ServiceSectorFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_throttle(settings):
    settings.API_ANON_RATE = "1000/minute"
    cache.clear()


@pytest.fixture
def catalogue():
    """A small catalogue of published cases across themes, sectors, regions, batches, years."""
    province = ProvinceFactory(slug="guangdong")
    shenzhen = RegionFactory(slug="shenzhen", parent=province)
    beijing = ProvinceFactory(slug="beijing")
    themes = [ThemeFactory(slug="data"), ThemeFactory(slug="finance")]
    sectors = [ServiceSectorFactory(code=code) for code in ("SI", "SG", "SJ")]
    # Released in 2021 and in 2023: the year facet counts the ministry's release years.
    batches = [
        CaseBatchFactory(published_on=datetime.date(2021, 6, 1)),
        CaseBatchFactory(published_on=datetime.date(2023, 11, 1)),
    ]
    regions = [province, shenzhen, beijing]
    for number in range(30):
        CaseFactory(
            slug=f"case-{number:02d}",
            title_en=f"{'ZYX'[number % 3]} case {number}",
            batch=batches[number % 2],
            theme=themes[number % 2],
            lead_regions=[regions[number % 3]],
            sectors=sectors[: 1 + number % 3],
            published_on=f"202{number % 4}-0{1 + number % 5}-1{number % 7}",
        )
    DraftCaseFactory(slug="secret-draft", theme=themes[0], lead_regions=[beijing])
    # For the "adopted" facet and the "adoptions" sort: case-04 adopted twice, case-07 once.
    for slug, adopters in [("case-04", [beijing, province]), ("case-07", [province])]:
        for region in adopters:
            AdoptionFactory(case=Case.objects.get(slug=slug), region=region)
    return batches


def api(client, path="/api/v1/cases/", **params):
    return client.get(path, params, HTTP_ACCEPT="application/json")


def page_slugs(client, query):
    with translation.override("en"):
        response = client.get(reverse("cases:case-list") + "?" + query)
    return [row.record.slug for row in response.context["table"].paginated_rows]


QUERIES = [
    "",
    "region=beijing&sector=SI",
    "region=guangdong",
    "theme=data&sector=SG&sector=SJ",
    "year=2021&year=2023",
    "sort=title",
    "sort=-title&theme=finance",
    "sort=released_on",
    "sort=-released_on&per_page=50",
    "sort=batch&per_page=20&page=2",
    "sort=-theme&region=shenzhen",
    "q=case",
    "q=case 7&sort=title",
    "program=pilot-2016&sort=-batch",
    "adopted=elsewhere",
    "sort=-adoptions&per_page=50",
    "adopted=elsewhere&sort=adoptions&region=shenzhen",
]


@pytest.mark.parametrize("query", QUERIES)
def test_the_api_lists_the_same_cases_in_the_same_order_as_the_english_page(
    client, catalogue, query
):
    if "program=" in query:
        query = query.replace("pilot-2016", catalogue[0].program.slug)
    response = client.get(f"/api/v1/cases/?{query}")
    assert response.status_code == 200
    assert [case["slug"] for case in response.json()["results"]] == page_slugs(client, query)


def test_batch_keys_filter_as_on_the_page(client, catalogue):
    query = f"batch={catalogue[1].key}&sort=title"
    slugs = [
        case["slug"] for case in api(client, batch=catalogue[1].key, sort="title").json()["results"]
    ]
    assert slugs == page_slugs(client, query)
    assert len(slugs) == 15


def test_a_case_carries_both_languages_flags_source_pages_and_links(client, catalogue):
    case = Case.objects.get(slug="case-04")
    data = api(client, "/api/v1/cases/case-04/").json()
    assert data["title_zh"] == case.title_zh and data["title_en"] == case.title_en
    assert data["title_is_topic"] is False and data["needs_verification"] is False
    assert data["source_url"] == case.source_url
    assert data["body_en"] == case.body_en
    assert data["page_url_zh"] == "http://testserver/zh-hans/cases/case-04/"
    assert data["page_url_en"] == "http://testserver/en/cases/case-04/"
    assert data["batch"] == f"http://testserver/api/v1/batches/{case.batch.key}/"
    assert data["program"] == f"http://testserver/api/v1/programs/{case.batch.program.slug}/"
    assert data["lead_regions"] == ["http://testserver/api/v1/regions/shenzhen/"]
    assert data["sector_codes"] == ["SG", "SI"]  # in code order
    assert data["adoption_count"] == 2
    # Every link leads to a record the API serves.
    for link in [data["batch"], data["program"], data["theme"], *data["sectors"]]:
        assert client.get(link).status_code == 200


def test_a_draft_is_in_no_endpoint_and_no_count(client, catalogue):
    assert api(client, "/api/v1/cases/secret-draft/").status_code == 404
    seen = []
    for path in ["cases", "regions", "programs", "batches", "themes", "sectors"]:
        body = api(client, f"/api/v1/{path}/", per_page=100).content.decode()
        seen.append(body)
    assert not any("secret-draft" in body for body in seen)
    assert api(client).json()["count"] == 30
    themes = {
        theme["slug"]: theme["case_count"]
        for theme in api(client, "/api/v1/themes/").json()["results"]
    }
    assert themes == {"data": 15, "finance": 15}
    beijing = api(client, "/api/v1/regions/beijing/").json()
    assert beijing["case_count"] == 10
    batches = api(client, "/api/v1/batches/").json()["results"]
    assert sum(batch["case_count"] for batch in batches) == 30


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"sector": "XX"}, "sector"),
        ({"region": "atlantis"}, "region"),
        ({"year": "1066"}, "year"),
        ({"batch": "nonsense"}, "batch"),
        ({"sort": "colour"}, "sort"),
        ({"page": "abc"}, "page"),
        ({"page": "0"}, "page"),
        ({"per_page": "1000"}, "per_page"),
        ({"per_page": "ten"}, "per_page"),
        ({"q": "x" * 201}, "q"),
        ({"q": "bad\x00byte"}, "q"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(client, catalogue, params, parameter):
    response = api(client, **params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert list(response.json()["errors"]) == [parameter]


def test_a_page_past_the_end_and_unknown_addresses_are_json_404s(client, catalogue):
    for path, params in [
        ("/api/v1/cases/", {"page": 99}),
        ("/api/v1/nothing-here/", {}),
        ("/api/v2/", {}),
        ("/api/v1/batches/no-such-batch/", {}),
        ("/api/v1/regions/atlantis/", {}),
    ]:
        response = api(client, path, **params)
        assert response.status_code == 404, path
        assert "detail" in response.json()


def test_pages_count_and_link_to_each_other(client, catalogue):
    first = api(client, per_page=12).json()
    assert first["count"] == 30 and first["previous"] is None
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()
    assert third["next"] is None and len(third["results"]) == 6
    slugs = [c["slug"] for page in (first, second, third) for c in page["results"]]
    assert len(set(slugs)) == 30
    assert client.get(second["previous"]).json() == first


def test_the_case_list_keeps_its_query_budget(client, catalogue, django_assert_max_num_queries):
    with django_assert_max_num_queries(API_CASE_LIST_QUERIES):
        assert api(client, region="beijing", sector="SI").status_code == 200
    with django_assert_max_num_queries(API_CASE_LIST_QUERIES_WARM):
        assert api(client, region="beijing", sector="SI").status_code == 200


def test_every_list_keeps_a_small_query_budget(client, catalogue, django_assert_max_num_queries):
    MembershipFactory(region=Case.objects.first().lead_regions.first())
    for path in ["regions", "programs", "batches", "themes", "sectors"]:
        with django_assert_max_num_queries(API_LIST_QUERIES):
            assert api(client, f"/api/v1/{path}/", per_page=100).status_code == 200


def test_other_sites_may_read_but_not_write(client, catalogue):
    response = client.get("/api/v1/cases/", HTTP_ORIGIN="https://research.example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        "/api/v1/cases/",
        HTTP_ORIGIN="https://research.example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert "POST" not in preflight["Access-Control-Allow-Methods"]
    assert client.post("/api/v1/cases/", {}).status_code == 405
    # The site's pages are not shared.
    page = client.get("/en/cases/", HTTP_ORIGIN="https://research.example.org")
    assert "Access-Control-Allow-Origin" not in page


def test_a_client_over_the_rate_gets_429_with_retry_after(client, catalogue, settings):
    settings.API_ANON_RATE = "3/minute"
    for _ in range(3):
        assert api(client, "/api/v1/themes/").status_code == 200
    response = api(client, "/api/v1/themes/")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "detail" in response.json()
    # The public pages are not counted against the API's rate.
    assert client.get("/en/cases/").status_code == 200


def test_the_schema_describes_every_field_and_parameter(client, catalogue):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for name, component in schema["components"]["schemas"].items():
        for field, spec in component.get("properties", {}).items():
            assert spec.get("description"), f"{name}.{field} has no description"
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                assert parameter.get("description"), f"{path} {parameter['name']}"
    listed = {p["name"] for p in schema["paths"]["/api/v1/cases/"]["get"]["parameters"]}
    assert listed == {
        "q",
        "program",
        "batch",
        "theme",
        "sector",
        "region",
        "year",
        "adopted",
        "sort",
        "page",
        "per_page",
    }


def test_the_docs_are_served_by_the_site_itself(client):
    page = client.get("/api/docs/").content.decode()
    # The page's own script comes by URL (no inline script under the CSP) and names the schema.
    assert '<script src="/api/docs/?script="></script>' in page
    assert "/api/schema/" in client.get("/api/docs/?script=").content.decode()
    assert "//cdn" not in page and "https://" not in page
    for asset in ["swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-standalone-preset.js"]:
        url = f"/static/drf_spectacular_sidecar/swagger-ui-dist/{asset}"
        assert url in page
        response = client.get(url)
        assert response.status_code == 200, url


def test_the_footer_links_to_the_api_docs(client, catalogue):
    for lang in ("en", "zh-hans"):
        assert 'href="/api/docs/"' in client.get(f"/{lang}/").content.decode()
