"""The database going away while the site runs (gunicorn in a process of its own, debug off).

PostgreSQL: a TCP proxy of the test's own stands between the site and the shared server and is
cut (connections closed, new ones refused) or hung (no answer at all), then restored. SQLite
cannot go away like a server; what it does instead is stay locked by a long write, which the
SQLite test holds past the busy timeout. In every case the visitor gets a 503 page in the page's
language within seconds, /readyz says why, and the site recovers by itself.
"""

import json
import sqlite3
import urllib.parse

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from tests.factories import CaseFactory, SuperuserFactory
from tests.services import SiteServer, TcpProxy, http_get

pytestmark = pytest.mark.django_db(transaction=True)

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's outage; SQLite's is tested below"
)
sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's lock; PostgreSQL's outage is tested above"
)


@pytest.fixture
def published_case():
    return CaseFactory(title_en="Harbour services", title_zh="港口服务")


@pytest.fixture
def site_behind_proxy(published_case):
    database = connection.settings_dict
    proxy = TcpProxy(database["HOST"] or "127.0.0.1", database["PORT"] or 5432)
    user = database["USER"] or "postgres"
    server = SiteServer(f"postgres://{user}@127.0.0.1:{proxy.port}/{database['NAME']}").start()
    yield server, proxy
    server.stop()
    proxy.close()


# Bounds with room for a busy machine; a hang would take the client's 30 s timeout.
def assert_unavailable_page(url, language_text, within=10.0):
    status, body, seconds = http_get(url)
    assert status == 503, body[:500]
    assert language_text in body
    assert "Traceback" not in body
    assert seconds < within, f"{url} took {seconds:.1f} s"


def readyz(server):
    status, body, _seconds = http_get(server.url + "/readyz")
    return status, json.loads(body)


@postgres_only
def test_postgresql_gone_gives_a_friendly_503_and_the_site_recovers(site_behind_proxy):
    server, proxy = site_behind_proxy
    status, body, _ = http_get(server.url + "/en/cases/?q=harbour")
    assert status == 200 and "Harbour services" in body

    proxy.cut()
    assert_unavailable_page(server.url + "/en/cases/?q=harbour", "Temporarily unavailable")
    assert_unavailable_page(server.url + "/zh-hans/cases/", "暂时无法访问")
    assert_unavailable_page(server.url + "/en/", "Temporarily unavailable")
    status, body = readyz(server)
    assert status == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["database"].startswith("unavailable")
    assert http_get(server.url + "/healthz")[0] == 200

    proxy.restore()
    status, body, _ = http_get(server.url + "/en/cases/?q=harbour")
    assert status == 200 and "Harbour services" in body
    status, body = readyz(server)
    assert (status, body["status"]) == (200, "ok")


@postgres_only
def test_postgresql_that_does_not_answer_costs_a_page_a_few_seconds(site_behind_proxy):
    server, proxy = site_behind_proxy
    assert http_get(server.url + "/en/cases/")[0] == 200

    proxy.hang()  # connections are accepted and never answered: the connect timeout ends it
    assert_unavailable_page(server.url + "/en/cases/", "Temporarily unavailable", within=15.0)
    status, body = readyz(server)
    assert status == 503 and body["checks"]["database"].startswith("unavailable")

    proxy.restore()
    assert http_get(server.url + "/en/cases/")[0] == 200


@pytest.fixture
def sqlite_site(tmp_path, published_case):
    # Hashed as the server hashes (the tests' own hasher is a fast one it does not know).
    hashed = PBKDF2PasswordHasher().encode("a-good-password", "testsalt1234", iterations=1000)
    user = SuperuserFactory(username="editor")
    type(user).objects.filter(pk=user.pk).update(password=hashed)
    # The test database (in memory) copied to a file the server process can open.
    path = tmp_path / "site.sqlite3"
    with sqlite3.connect(path) as target:
        connection.ensure_connection()
        connection.connection.backup(target)
        target.execute("PRAGMA journal_mode=WAL")  # as the site leaves its file
    server = SiteServer(f"sqlite:///{path}", SQLITE_BUSY_TIMEOUT="1").start()
    yield server, path
    server.stop()


def sign_in(server, cookies):
    # As behind the HTTPS proxy the production settings expect.
    https = {"X-Forwarded-Proto": "https"}
    status, body, _ = http_get(server.url + "/admin/login/", cookies=cookies, headers=https)
    assert status == 200
    token = body.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token,
            "username": "editor",
            "password": "a-good-password",
            "next": "/admin/",
        }
    ).encode()
    headers = {**https, "Referer": f"https://127.0.0.1:{server.port}/admin/login/"}
    return http_get(server.url + "/admin/login/", data=form, cookies=cookies, headers=headers)


@sqlite_only
def test_sqlite_locked_past_its_timeout_gives_a_503_readers_keep_reading(sqlite_site):
    server, path = sqlite_site
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")  # a long write holds the lock
    try:
        # Readers are not blocked by a writer (WAL).
        status, body, _ = http_get(server.url + "/en/cases/?q=harbour")
        assert status == 200 and "Harbour services" in body
        # Signing in writes the session: it waits one second, then a friendly 503.
        cookies = {}
        status, body, seconds = sign_in(server, cookies)
        assert status == 503, body[:300]
        assert "Temporarily unavailable" in body or "暂时无法访问" in body
        assert seconds < 10
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert sign_in(server, cookies)[0] == 302
    status, body, _ = http_get(
        server.url + "/admin/", cookies=cookies, headers={"X-Forwarded-Proto": "https"}
    )
    assert status == 200
    assert "logout" in body
