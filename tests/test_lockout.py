"""The admin sign-in locks out (django-axes): after 5 wrong passwords for one user name from one
address, that name is refused from that address for 15 minutes, even with the right password,
with a page that says why; `manage.py axes_reset_username` unlocks it at once."""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RIGHT = "the-right-passphrase-42"
OFFICE = "10.0.0.7"
ELSEWHERE = "10.0.0.99"


@pytest.fixture
def editor():
    return UserFactory(username="li", password=RIGHT, is_staff=True)


def sign_in(client, username, password, address=OFFICE, **headers):
    headers.setdefault("HTTP_ACCEPT_LANGUAGE", "en")
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
        **headers,
    )


def signed_in(response, client):
    return response.status_code == 302 and "_auth_user_id" in client.session


def fail(client, times, username="li", address=OFFICE, **headers):
    for _ in range(times):
        response = sign_in(client, username, "wrong", address, **headers)
        assert response.status_code in (200, 429)
    return response


def test_the_documented_numbers():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_five_failures_lock_the_user_out_of_that_address_even_with_the_right_password(
    client, editor
):
    fail(client, 4)
    assert sign_in(client, "li", "wrong").status_code == 429  # the fifth
    response = sign_in(client, "li", RIGHT)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    text = response.content.decode()
    assert "Sign-in locked" in text
    assert "failed 5 times in a row from your address" in text
    assert "Try again in 15 minutes, or ask an administrator to unlock your account." in text


def test_the_lockout_page_speaks_chinese_to_a_chinese_browser(client, editor):
    response = fail(client, 5, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 429
    assert "登录已锁定" in response.content.decode()


def test_the_same_user_from_another_address_and_another_user_still_sign_in(client, editor):
    UserFactory(username="wang", password=RIGHT, is_staff=True)
    fail(client, 5)
    assert signed_in(sign_in(client, "li", RIGHT, address=ELSEWHERE), client)
    client.logout()
    assert signed_in(sign_in(client, "wang", RIGHT), client)


def test_fewer_failures_then_the_right_password_signs_in_and_starts_counting_again(client, editor):
    fail(client, 4)
    assert signed_in(sign_in(client, "li", RIGHT), client)
    client.logout()
    fail(client, 4)
    assert signed_in(sign_in(client, "li", RIGHT), client)


def test_the_unlock_command_lets_the_user_in_at_once(client, editor):
    fail(client, 5)
    assert sign_in(client, "li", RIGHT).status_code == 429
    call_command("axes_reset_username", "li")
    assert signed_in(sign_in(client, "li", RIGHT), client)


def test_a_forged_client_address_header_does_not_dodge_the_lockout(client, editor):
    fail(client, 5)
    response = sign_in(client, "li", RIGHT, HTTP_X_REAL_IP="192.0.2.1")
    assert response.status_code == 429


def test_behind_a_proxy_the_proxys_client_address_counts(client, editor, settings):
    settings.BEHIND_PROXY = True
    fail(client, 5, address="127.0.0.1", HTTP_X_REAL_IP=OFFICE)
    # Another visitor through the same proxy is a different address.
    response = sign_in(client, "li", RIGHT, address="127.0.0.1", HTTP_X_REAL_IP=ELSEWHERE)
    assert signed_in(response, client)
