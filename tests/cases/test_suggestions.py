"""Public suggestions: into the moderation queue and nowhere else, whatever is sent."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cases.models import Case, Suggestion
from cases.roles import EDITOR
from cases.suggestions import RATE_LIMIT
from tests.admin_forms import post_action
from tests.factories import CaseBatchFactory, CaseFactory, PilotProgramFactory, RegionFactory

pytestmark = pytest.mark.django_db


def url(name="cases:suggest", *args, lang="en", query=""):
    with translation.override(lang):
        return reverse(name, args=args) + (f"?{query}" if query else "")


def good(**changes):
    return {
        "kind": "missing-case",
        "what": "广州南沙跨境数据服务案例",
        "source_url": "https://www.mofcom.gov.cn/case-list",
        "contact": "reader@example.org",
        **changes,
    }


@pytest.fixture
def places():
    batch = CaseBatchFactory(program=PilotProgramFactory(slug="pilot-2020"), number=4)
    region = RegionFactory(slug="guangzhou", name_en="Guangzhou")
    case = CaseFactory(slug="guangzhou-data", batch=batch, lead_regions=[region])
    return {"batch": batch, "region": region, "case": case}


def test_a_suggestion_lands_in_the_queue_with_what_the_page_knew(client, places):
    response = client.post(url(), good(batch="pilot-2020-4", region="guangzhou"))
    assert response.status_code == 302
    assert response["Location"] == url("cases:suggest-thanks")
    suggestion = Suggestion.objects.get()
    assert suggestion.status == Suggestion.Status.NEW
    assert suggestion.batch == places["batch"] and suggestion.region == places["region"]
    assert suggestion.language == "en"
    # Only a keyed hash of the address is kept, never the address.
    assert "127.0.0.1" not in suggestion.sender and len(suggestion.sender) == 64


def test_a_correction_from_a_case_page_names_the_case(client, places):
    client.post(url(), good(kind="correction", case="guangzhou-data", what="The date is wrong"))
    assert Suggestion.objects.get().case == places["case"]


def test_the_suggestion_appears_nowhere_public(client, places):
    client.post(url(), good(what="Secret-looking suggestion text 7731", case="guangzhou-data"))
    assert Suggestion.objects.count() == 1
    pages = [
        url("home"),
        url("cases:case-list"),
        url("cases:case-list", query="q=suggestion"),
        url("cases:case-detail", "guangzhou-data"),
        url("cases:batch-detail", "pilot-2020", 4),
        url("regions:region-detail", "guangzhou"),
        url("cases:suggest"),
        url("cases:suggest-thanks"),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert "Secret-looking suggestion text" not in response.content.decode(), page


def test_case_batch_and_region_pages_offer_the_short_form(client, places):
    for page, about, key in [
        (url("cases:case-detail", "guangzhou-data"), "case", "guangzhou-data"),
        (url("cases:batch-detail", "pilot-2020", 4), "batch", "pilot-2020-4"),
        (url("regions:region-detail", "guangzhou"), "region", "guangzhou"),
    ]:
        response = client.get(page)
        text = response.text
        assert f'<input type="hidden" name="{about}" value="{key}">' in text
        assert '<form class="suggest-form" method="get" action="/en/suggest/">' in text
        # No CSRF token (one visitor's) on a page any cache may keep; the full form has it.
        assert "csrfmiddlewaretoken" not in text and "csrftoken" not in response.cookies
        assert "public" in response["Cache-Control"]


def test_the_short_form_opens_the_full_form_filled_in_to_check_and_send(client, places):
    query = (
        "case=guangzhou-data&kind=correction&what=%3Cscript%3Ealert(1)%3C%2Fscript%3E"
        "&source_url=https%3A%2F%2Fexample.org%2Fx"
    )
    response = client.get(url(query=query))
    assert response.status_code == 200
    text = response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in text
    assert "<script>alert(1)" not in text
    assert 'value="https://example.org/x"' in text
    assert 'name="csrfmiddlewaretoken"' in text
    # The token is this visitor's own: no shared cache may keep the page.
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert not Suggestion.objects.exists()


def test_the_full_form_is_prefilled_from_the_page_it_came_from(client, places):
    text = client.get(url(query="case=guangzhou-data")).text
    assert '<input type="hidden" name="case" value="guangzhou-data"' in text
    assert 'value="correction" id="id_kind_1" checked' in text or (
        'value="correction"' in text and "checked" in text
    )
    text = client.get(url(query="batch=pilot-2020-4&region=guangzhou")).text
    assert '<option value="pilot-2020-4" selected>' in text
    assert '<option value="guangzhou" selected>' in text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"source_url": ""}, "source_url", "This field is required."),
        ({"source_url": "javascript:alert(1)"}, "source_url", "Enter a valid URL."),
        ({"what": ""}, "what", "This field is required."),
        ({"what": "<script>alert(1)</script>"}, "what", "Please write plain text"),
        ({"what": "见 <a href='http://spam'>链接</a>"}, "what", "Please write plain text"),
        ({"what": "&#60;b&#62;bold"}, "what", "Please write plain text"),
        ({"contact": "<img src=x onerror=alert(1)>"}, "contact", "Please write plain text"),
        ({"what": "x" * 2001}, "what", "at most 2000 characters"),
        ({"contact": "y" * 201}, "contact", "at most 200 characters"),
        ({"kind": "spam"}, "kind", "Select a valid choice."),
        ({"batch": "pilot-2020-99"}, "batch", "Select a valid choice."),
        ({"region": "atlantis"}, "region", "Select a valid choice."),
        ({"case": "no-such-case"}, "case", "Select a valid choice."),
        ({"region": "guang\x00zhou"}, "region", "Null characters are not allowed."),
        ({"case": "\x00"}, "case", "Null characters are not allowed."),
    ],
)
def test_bad_input_is_refused_clearly_and_nothing_is_stored(
    client, places, changes, field, message
):
    response = client.post(url(), good(**changes))
    assert response.status_code == 400
    assert message in response.context["form"].errors[field][0]
    assert "Please check the form" in response.text
    assert "<script>alert(1)</script>" not in response.text
    assert not Suggestion.objects.exists()


def test_a_suggestion_about_a_draft_case_is_refused(client, places):
    CaseFactory(slug="draft-case", status=Case.Status.DRAFT, published_on=None)
    response = client.post(url(), good(kind="correction", case="draft-case"))
    assert response.status_code == 400
    assert not Suggestion.objects.exists()


def test_a_one_megabyte_body_is_refused_before_it_is_read(client, places):
    response = client.post(url(), good(what="长" * (1024 * 1024)))
    assert response.status_code == 413
    assert "too long to be sent" in response.text
    assert not Suggestion.objects.exists()


def test_the_honeypot_thanks_a_robot_and_stores_nothing(client, places):
    response = client.post(url(), good(website="http://spam.example"))
    assert response.status_code == 302
    assert response["Location"] == url("cases:suggest-thanks")
    assert not Suggestion.objects.exists()


def test_a_flood_from_one_address_is_limited_and_others_still_get_through(client, places):
    statuses = [client.post(url(), good(what=f"flood {n}")).status_code for n in range(20)]
    assert statuses == [302] * RATE_LIMIT + [429] * (20 - RATE_LIMIT)
    assert Suggestion.objects.count() == RATE_LIMIT
    refused = client.post(url(), good())
    assert "many suggestions from your address" in refused.text
    # Another address is not affected, and the site keeps serving.
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert other.post(url(), good(what="from elsewhere")).status_code == 302
    assert client.get(url("cases:case-list")).status_code == 200


def test_a_post_without_the_csrf_token_is_refused(places):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(url(), good())
    assert response.status_code == 403
    assert not Suggestion.objects.exists()
    form = browser.get(url())
    token = form.cookies["csrftoken"].value
    assert browser.post(url(), good(csrfmiddlewaretoken=token)).status_code == 302


def test_no_email_unless_mail_is_configured(client, places, settings):
    settings.MAIL_CONFIGURED = False
    settings.SUGGESTION_RECIPIENTS = ["editors@example.org"]
    client.post(url(), good())
    assert mail.outbox == []
    settings.MAIL_CONFIGURED = True
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    client.post(url(), good(what="second"))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["editors@example.org"]
    assert "second" in message.body
    assert "/admin/cases/suggestion/" in message.body


def test_a_failing_mail_server_loses_no_suggestion(client, places, settings):
    # Port 9 (discard): nothing listens here, so the connection is refused.
    settings.MAIL_CONFIGURED = True
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},
        }
    }
    settings.SUGGESTION_RECIPIENTS = ["editors@example.org"]
    response = client.post(url(), good())
    assert response.status_code == 302
    assert Suggestion.objects.count() == 1


def test_an_editor_turns_a_suggestion_into_a_prefilled_draft_case(client, places, make_staff):
    client.post(url(lang="zh-hans"), good(batch="pilot-2020-4", region="guangzhou"))
    suggestion = Suggestion.objects.get()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(make_staff(EDITOR))
    queue = client.get(reverse("admin:cases_suggestion_changelist"))
    assert "广州南沙跨境数据服务案例" in queue.text
    response = post_action(client, "cases", "suggestion", "make_draft_cases", [suggestion])
    case = Case.objects.get(slug=f"suggested-{suggestion.pk}")
    assert response.redirect_chain[-1][0] == reverse("admin:cases_case_change", args=[case.pk])
    assert case.status == Case.Status.DRAFT
    assert case.title_zh == "广州南沙跨境数据服务案例" and case.title_is_topic
    assert case.batch == places["batch"]
    assert list(case.lead_regions.all()) == [places["region"]]
    assert case.source_url == "https://www.mofcom.gov.cn/case-list"
    assert case.needs_verification
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.DRAFTED and suggestion.draft_case == case
    # The draft is not public.
    client.logout()
    assert client.get(url("cases:case-detail", case.slug)).status_code == 404


def test_corrections_are_marked_and_suggestions_rejected(admin_client, places):
    client = Client()
    client.post(url(), good(kind="correction", case="guangzhou-data"))
    client.post(url(), good(what="nonsense"))
    correction, nonsense = Suggestion.objects.order_by("pk")
    post_action(admin_client, "cases", "suggestion", "mark_corrected", [correction])
    post_action(admin_client, "cases", "suggestion", "reject", [nonsense])
    assert [s.status for s in Suggestion.objects.order_by("pk")] == ["corrected", "rejected"]


def test_the_public_cannot_reach_the_queue(client, places):
    response = client.get(reverse("admin:cases_suggestion_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
