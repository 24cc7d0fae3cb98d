"""Settings read from the environment: safe defaults, loud failures, clean deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from servtrade.env import cache_from_url, env_bool, env_list

ROOT = Path(__file__).resolve().parent.parent
KEY = {"DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "x" * 40}
# Only what the README says production must set: a key and the host names.
PRODUCTION = {**KEY, "DJANGO_ALLOWED_HOSTS": "servtrade.example.org"}


def manage(*args, checkout=ROOT, **env):
    """``manage.py`` of ``checkout`` (a copy of it elsewhere sees this repository's code)."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DJANGO_") and k not in {"DATABASE_URL", "CACHE_URL"}
    }
    return subprocess.run(
        [sys.executable, str(checkout / "manage.py"), *args],
        cwd=checkout,
        env={**clean, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.fixture
def bare_checkout(tmp_path):
    """A checkout that ``make`` has not set up: manage.py without a .local-secret-key."""
    (tmp_path / "manage.py").write_text((ROOT / "manage.py").read_text())
    return tmp_path


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off(bare_checkout):
    env = {**PRODUCTION, "DJANGO_SECRET_KEY": ""}
    result = manage("check", checkout=bare_checkout, **env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_with_no_environment_at_all_debug_is_off_and_a_key_is_required(bare_checkout):
    result = manage("check", checkout=bare_checkout)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stderr


def test_commands_by_hand_use_the_key_make_wrote_for_the_checkout(bare_checkout):
    (bare_checkout / ".local-secret-key").write_text("a-key-make-wrote-" + "z" * 40 + "\n")
    result = manage("check", checkout=bare_checkout)
    assert result.returncode == 0, result.stderr
    # The site's own entry point does not: without a key in its environment it refuses.
    wsgi = subprocess.run(
        [sys.executable, "-c", "import servtrade.wsgi"],
        cwd=bare_checkout,
        env={"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert wsgi.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in wsgi.stderr


def settings_of(*names, **env):
    code = "from django.conf import settings\n" + "".join(
        f"print(repr(settings.{name}))\n" for name in names
    )
    result = manage("shell", "--no-imports", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_a_key_alone_gives_a_production_site_served_over_https():
    assert settings_of("DEBUG", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", **KEY) == [
        "False",
        "True",
        "True",
    ]


def test_development_mode_is_one_switch_away_and_needs_no_key():
    assert settings_of("DEBUG", "SECURE_SSL_REDIRECT", DJANGO_DEBUG="1") == ["True", "False"]


def test_the_key_can_come_from_a_file(tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text("a-key-from-a-file-" + "y" * 40 + "\n")
    assert settings_of("SECRET_KEY", DJANGO_SECRET_KEY_FILE=str(key_file)) == [
        repr("a-key-from-a-file-" + "y" * 40)
    ]
    result = manage("check", DJANGO_SECRET_KEY_FILE=str(tmp_path / "missing"))
    assert result.returncode != 0
    assert "cannot be read" in result.stderr


FORGED_HTTPS = (
    "from django.test import Client\n"
    "r = Client().get('/en/no-such-page/', HTTP_X_FORWARDED_PROTO='https', "
    "HTTP_HOST='servtrade.example.org')\n"
    "print(r.status_code, r.get('Location', ''))"
)


@pytest.mark.parametrize(
    ("behind_proxy", "expected"),
    [
        # Plain http with a forged header is still plain http: redirected to https.
        ("0", "301 https://servtrade.example.org/en/no-such-page/"),
        # A proxy in front says the request came over https: served, a friendly 404 here.
        ("1", "404"),
    ],
)
def test_the_proxy_https_header_is_believed_only_when_a_proxy_is_configured(
    tmp_path, behind_proxy, expected
):
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        FORGED_HTTPS,
        **PRODUCTION,
        DJANGO_BEHIND_PROXY=behind_proxy,
        DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


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
        **KEY,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["postgresql", "servtrade_probe"]


@pytest.mark.django_db
def test_postgresql_connections_compile_no_jit():
    """PostgreSQL's JIT compiled queries whose cost estimate crossed jit_above_cost (a list
    sorted by a column, a search read through its index) for 0.6-1 s each: it is off."""
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.db import connection as c; print(c.settings_dict['OPTIONS']['options'])",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/servtrade_probe",
        **KEY,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "-c jit=off"
    if connection.vendor == "postgresql":  # and the suite's own connection has it so
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            assert cursor.fetchone()[0] == "off"


@pytest.mark.django_db
@pytest.mark.parametrize("setting, prepared", [(None, True), ("0", False)])
def test_postgresql_reuses_the_plans_of_the_statements_a_connection_repeats(setting, prepared):
    """Planning was half of PostgreSQL's work on a list page: a statement a connection runs
    again and again is prepared (server-side binding), unless DJANGO_DB_PREPARED_STATEMENTS=0
    (a pooler in transaction mode)."""
    env = {"DJANGO_DB_PREPARED_STATEMENTS": setting} if setting else {}
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.db import connection as c; o = c.settings_dict['OPTIONS'];"
        "print(o.get('server_side_binding'), o.get('prepare_threshold'))",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/servtrade_probe",
        **KEY,
        **env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == (["True", "5"] if prepared else ["None", "None"])
    if connection.vendor == "postgresql" and prepared:  # the suite's own connection does so
        with connection.cursor() as cursor:
            for number in range(8):
                cursor.execute("SELECT %s::int + 1 AS servtrade_probe", [number])
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                ["%servtrade_probe%"],
            )
            assert cursor.fetchone()[0] == 1


def test_the_default_database_is_a_sqlite_file_in_wal_mode():
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('PRAGMA journal_mode')\n"
        "    print(connection.vendor, c.fetchone()[0])",
        **KEY,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["sqlite", "wal"]


def test_make_demos_environment_serves_the_site_as_visitors_see_it(tmp_path):
    """What `make demo` sets (its own key file, plain HTTP): no debug page, the friendly 404."""
    key_file = tmp_path / ".local-secret-key"
    key_file.write_text("a-demo-key-" + "z" * 50)
    code = (
        "from django.conf import settings\n"
        "from django.test import Client\n"
        "r = Client().get('/en/no-such-page/', HTTP_HOST='127.0.0.1')\n"
        "print(settings.DEBUG, settings.SECURE_SSL_REDIRECT, r.status_code)\n"
        "print('Page not found' in r.content.decode(), 'Traceback' in r.content.decode())"
    )
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        DJANGO_SECRET_KEY_FILE=str(key_file),
        DJANGO_HTTPS="0",
        DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False", "404", "True", "False"]
