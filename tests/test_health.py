"""/healthz and /readyz: cheap, JSON, no secrets, and honest about what is missing."""

import json

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from servtrade import health
from tests.services import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def migrations_not_yet_checked():
    # Each test starts as a fresh process would: the migrations are read once.
    health._migrations_applied = False
    yield
    health._migrations_applied = False


def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_checks_the_database_the_migrations_and_the_cache(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "migrations": "ok", "cache": "ok"}


def test_readyz_is_one_query_once_the_migrations_are_known(client, django_assert_num_queries):
    client.get("/readyz")
    with django_assert_num_queries(1):
        assert client.get("/readyz").status_code == 200


def test_readyz_says_503_when_a_migration_is_not_applied(client):
    leaf = max(MigrationLoader(connection).graph.leaf_nodes("cases"))
    MigrationRecorder.Migration.objects.filter(app=leaf[0], name=leaf[1]).delete()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["migrations"] == "1 not applied"


def test_readyz_without_the_cache_is_degraded_but_ready(client, settings):
    # Nothing listens on this port: the cache is unreachable, the site still serves.
    settings.CACHES = {
        "default": {
            "BACKEND": "servtrade.cache_backends.ResilientRedisCache",
            "LOCATION": f"redis://:s3cret-password@127.0.0.1:{free_port()}/11",
        }
    }
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["cache"] == "unavailable"
    assert b"s3cret" not in response.content


def test_readyz_tells_no_secrets(client):
    content = client.get("/readyz").content.decode()
    database = django_settings.DATABASES["default"]
    for secret in [django_settings.SECRET_KEY, database["NAME"], database.get("PASSWORD")]:
        if secret:
            assert str(secret) not in content
    assert json.loads(content)["checks"]


def test_health_checks_are_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/en/").status_code == 301
