"""Redis (CACHE_URL) going away: every page serves from the database, one log line, recovery.

The Redis here is the test's own (tests/services.py), started on a free port and killed
mid-test; the shared one is never touched.
"""

import contextlib
import logging
import socket
import threading
import time

import pytest
import redis
from django.db import connection as database
from django.test.utils import CaptureQueriesContext

from servtrade import cache_backends
from servtrade.caching import cached
from tests.factories import CaseFactory, MembershipFactory, RegionFactory, ThemeFactory
from tests.services import OwnRedis

pytestmark = pytest.mark.django_db

PAGES = [
    "/en/",
    "/zh-hans/",
    "/en/cases/",
    "/en/cases/?q=harbour",
    "/en/cases/?theme=opening&sort=-published_on",
    "/en/cases/?_export=json",
    "/en/regions/",
    "/en/programs/",
]


@pytest.fixture
def own_redis(tmp_path, settings):
    server = OwnRedis(tmp_path).start()
    settings.CACHES = {
        "default": {
            "BACKEND": "servtrade.cache_backends.ResilientRedisCache",
            "LOCATION": server.url,
        }
    }
    yield server
    server.stop()


@pytest.fixture
def catalogue():
    MembershipFactory(region=RegionFactory(slug="guangzhou"))
    return CaseFactory(
        title_en="Harbour services",
        theme=ThemeFactory(slug="opening"),
        lead_regions=[RegionFactory(slug="guangzhou")],
    )


def cache_warnings(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "servtrade.cache"]


def test_pages_serve_from_the_database_while_redis_is_gone(client, own_redis, catalogue, caplog):
    caplog.set_level(logging.WARNING, logger="servtrade.cache")
    before = {}
    for page in PAGES:
        response = client.get(page)
        assert response.status_code == 200, page
        before[page] = response.getvalue()
    assert b"Harbour services" in before["/en/cases/?q=harbour"]
    keys = redis.Redis.from_url(own_redis.url).dbsize()
    assert keys > 0, "the pages cached nothing in Redis"

    own_redis.stop()
    for _round in range(3):
        for page in PAGES:
            response = client.get(page)
            assert response.status_code == 200, page
            # The same page, computed from the database instead of read from the cache.
            assert response.getvalue() == before[page], page
    assert client.get("/en/cases/?q=harbour").context["table"].paginator.count == 1
    warnings = cache_warnings(caplog)
    assert len(warnings) == 1, warnings
    assert "unreachable" in warnings[0]
    assert "serving from the database" in warnings[0]

    # Back again: after the pause between retries, the next request uses Redis once more.
    own_redis.start()
    time.sleep(cache_backends.RETRY_SECONDS + 0.1)
    CaseFactory(title_en="Second harbour", theme=catalogue.theme)  # a new version, new keys
    response = client.get("/en/cases/?q=harbour")
    assert response.status_code == 200
    assert response.context["table"].paginator.count == 2
    assert redis.Redis.from_url(own_redis.url).dbsize() > 0
    warnings = cache_warnings(caplog)
    assert len(warnings) == 2
    assert "reachable again" in warnings[1]


def test_while_redis_is_gone_the_host_keeps_what_it_computed(client, own_redis, catalogue):
    """A page's counts are computed once while Redis is gone, not on every request: at 100,000
    cases a list's facet counts cost seconds (bench/load.py, docs/benchmarks.md)."""
    page = "/en/cases/?theme=opening&sort=-published_on"
    assert client.get(page).status_code == 200
    own_redis.stop()
    with CaptureQueriesContext(database) as first:
        computed = client.get(page)
    with CaptureQueriesContext(database) as second:
        kept = client.get(page)
    assert computed.getvalue() == kept.getvalue()
    assert len(second) < len(first), (len(first), len(second))

    # A change to the catalogue is a new version: the kept counts are not used for it.
    CaseFactory(title_en="Second harbour", theme=catalogue.theme)
    assert client.get(page).context["table"].paginator.count == 2

    # Back again: Redis is used, and the process's own copies are let go.
    own_redis.start()
    time.sleep(cache_backends.RETRY_SECONDS + 0.1)
    assert client.get(page).status_code == 200
    assert redis.Redis.from_url(own_redis.url).dbsize() > 0
    outage = cache_backends._outage_for(own_redis.url.split("//", 1)[1])
    assert outage.down_since is None
    assert outage.stand_in.is_empty()


def test_the_stand_in_is_shared_by_the_processes_of_a_host_and_survives_a_full_disk(tmp_path):
    """Two processes' stand-ins for one Redis (two _Outage objects, as two workers have) see
    each other's entries; one that cannot write is an empty cache, not an error."""
    location = f"127.0.0.1:{tmp_path.name}"
    first, second = cache_backends._Outage(location), cache_backends._Outage(location)
    first.stand_in.set("servtrade:v1:counts", ({"SG": 3},), 60)
    assert second.stand_in.get("servtrade:v1:counts") == ({"SG": 3},)
    assert not second.stand_in.add("servtrade:v1:counts", "taken", 60)
    first.stand_in.clear()
    assert second.stand_in.is_empty()

    broken = cache_backends.SharedStandIn(location)
    broken.files._dir = str(tmp_path / "a-file")  # not a folder: every write fails
    (tmp_path / "a-file").write_text("")
    assert broken.add("servtrade:v1:counts", "mine", 60) is True
    broken.set("servtrade:v1:counts", "mine", 60)
    assert broken.get("servtrade:v1:counts") is None


class SilentServer:
    """Accepts connections and never answers (a hung Redis); counts the connections."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepted = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        with contextlib.suppress(OSError):
            while True:
                self.accepted.append(self.listener.accept()[0])

    def close(self):
        self.listener.close()
        for connection in self.accepted:
            connection.close()


def test_a_hung_redis_costs_one_timeout_per_retry_not_one_per_page(client, settings, catalogue):
    silent = SilentServer()
    settings.CACHES = {
        "default": {
            "BACKEND": "servtrade.cache_backends.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{silent.port}/0",
        }
    }
    try:
        started = time.monotonic()
        assert client.get("/en/cases/").status_code == 200  # waits one timeout, then knows
        assert time.monotonic() - started < cache_backends.SOCKET_TIMEOUT_SECONDS + 2
        assert len(silent.accepted) == 1
        pages = 0
        while time.monotonic() - started < cache_backends.RETRY_SECONDS * 0.8:
            assert client.get("/en/cases/?q=harbour").status_code == 200
            pages += 1
        # Until the retry is due, no page asked Redis again.
        assert pages > 0
        assert len(silent.accepted) == 1
    finally:
        silent.close()


def test_a_search_bitmap_of_a_large_catalogue_is_kept_in_redis(own_redis):
    """A bitmap is a Python int; at 100,000 cases one has some 30,000 digits, more than Python
    writes as text (bench/load.py's searches answered 500 through Redis before)."""
    bitmap = (1 << 100_000) - 1
    assert cached("v-large", ("search-bitmap", "数据"), lambda: bitmap) == bitmap
    # Kept in Redis itself, and read from there the second time (not computed again).
    assert redis.Redis.from_url(own_redis.url).keys("*servtrade:v-large:*")  # Django prefixes ":1:"
    assert cached("v-large", ("search-bitmap", "数据"), lambda: 0) == bitmap
