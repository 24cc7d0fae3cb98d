"""Settings read from the environment: safe defaults, loud failures, clean deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from servtrade.env import cache_from_url, env_bool, env_list

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
    "DJANGO_ALLOWED_HOSTS": "servtrade.example.org",
}


def manage(*args, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DJANGO_") and k not in {"DATABASE_URL", "CACHE_URL"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    env = {**PRODUCTION, "DJANGO_SECRET_KEY": ""}
    result = manage("check", **env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_it_rejects_a_debug_value_it_cannot_read():
    result = manage("check", DJANGO_DEBUG="maybe")
    assert result.returncode != 0
    assert "DJANGO_DEBUG='maybe' is not a boolean" in result.stderr


def test_env_bool_reads_the_usual_spellings(monkeypatch):
    monkeypatch.setenv("FLAG", "Yes")
    assert env_bool("FLAG", default=False) is True
    monkeypatch.setenv("FLAG", "0")
    assert env_bool("FLAG", default=True) is False
    monkeypatch.delenv("FLAG")
    assert env_bool("FLAG", default=True) is True


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("HOSTS", "a.example, b.example,,")
    assert env_list("HOSTS", default=[]) == ["a.example", "b.example"]


def test_cache_url_chooses_the_backend():
    redis = cache_from_url("redis://127.0.0.1:6379/1")
    assert redis == {
        "BACKEND": "servtrade.cache_backends.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:6379/1",
    }
    assert cache_from_url("")["BACKEND"].endswith("LocMemCache")
    with pytest.raises(ImproperlyConfigured, match="unknown scheme 'memcached'"):
        cache_from_url("memcached://127.0.0.1:11211")


def test_a_redis_cache_url_gives_a_working_cache():
    """Against the Redis server on 127.0.0.1:6379 that the developers' machines and CI run."""
    from django.core.cache.backends.redis import RedisCache

    config = cache_from_url("redis://127.0.0.1:6379/15")
    cache = RedisCache(config["LOCATION"], {})
    cache.set("servtrade-test", "ok", 5)
    assert cache.get("servtrade-test") == "ok"
    cache.delete("servtrade-test")


def test_database_url_points_the_site_at_postgresql():
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.db import connection as c; print(c.vendor, c.settings_dict['NAME'])",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/servtrade_probe",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["postgresql", "servtrade_probe"]


def test_the_default_database_is_a_sqlite_file_in_wal_mode():
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('PRAGMA journal_mode')\n"
        "    print(connection.vendor, c.fetchone()[0])",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["sqlite", "wal"]
