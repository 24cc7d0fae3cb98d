"""Backup of a running site and restore into an empty database, compared byte for byte.

The site runs under gunicorn (tests/services.py) on the database the test fills; the backup is
made with `manage.py backup` while it serves; `manage.py restore` loads it into a new, empty
database; a second server on that database must give the same full JSON download, byte for
byte, and the change history must have come along.
"""

import os
import sqlite3
import subprocess
import sys

import pytest
from django.db import connection
from django.urls import reverse

from cases.models import Case
from tests.admin_forms import admin_form_data
from tests.factories import CaseFactory, DraftCaseFactory, RegionFactory
from tests.services import ROOT, SiteServer, http_get

pytestmark = pytest.mark.django_db(transaction=True)

DOWNLOAD = "/en/cases/?_export=json&sort=slug"
HOST = {"Host": "servtrade.test"}  # the same permalinks from both servers


def manage(*args, database_url):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={
            **env,
            "DATABASE_URL": database_url,
            "CACHE_URL": "dummy://",
            "DJANGO_SECRET_KEY": "test-only-" + "k" * 50,
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    return result


@pytest.fixture
def catalogue(admin_client):
    """Published cases in both languages, a draft, and an edit made in the admin (history)."""
    for number in range(12):
        CaseFactory(title_zh=f"案例{number}", lead_regions=[RegionFactory()])
    DraftCaseFactory(title_en="Not public")
    case = Case.objects.first()
    url = reverse("admin:cases_case_change", args=[case.pk])
    admin_client.post(url, admin_form_data(admin_client.get(url), title_en="Edited in the admin"))
    assert Case.objects.get(pk=case.pk).title_en == "Edited in the admin"


def download(database_url):
    server = SiteServer(database_url, DJANGO_ALLOWED_HOSTS="servtrade.test").start()
    try:
        status, body, _ = http_get(server.url + DOWNLOAD, headers=HOST)
    finally:
        server.stop()
    assert status == 200
    return body


def assert_round_trip(source_url, restored_url, backup_file, history_rows):
    before = download(source_url)
    assert "Edited in the admin" in before and "Not public" not in before

    server = SiteServer(source_url, DJANGO_ALLOWED_HOSTS="servtrade.test").start()
    try:  # the backup is made while the site serves
        made = manage("backup", str(backup_file), database_url=source_url)
        assert http_get(server.url + DOWNLOAD, headers=HOST)[0] == 200
    finally:
        server.stop()
    assert made.returncode == 0, made.stderr
    assert "Backup written" in made.stdout

    restored = manage("restore", str(backup_file), database_url=restored_url)
    assert restored.returncode == 0, restored.stderr
    assert download(restored_url) == before
    assert history_rows(restored_url) == history_rows(source_url)
    assert any(title == "Edited in the admin" and user for title, user in history_rows(source_url))

    again = manage("restore", str(backup_file), database_url=restored_url)
    assert again.returncode != 0
    assert "is not empty" in again.stderr


HISTORY = (
    "SELECT h.title_en, u.username FROM cases_historicalcase h "
    "LEFT JOIN auth_user u ON u.id = h.history_user_id ORDER BY h.history_id"
)


def sqlite_round_trip(tmp_path):
    """SQLite's online backup API, from a copy of the test database used as the site's file."""
    source = tmp_path / "site.sqlite3"
    with sqlite3.connect(source) as target:
        connection.connection.backup(target)  # the test database, as the site's file

    def history_rows(url):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            return db.execute(HISTORY).fetchall()

    assert_round_trip(
        f"sqlite:///{source}",
        f"sqlite:///{tmp_path / 'restored.sqlite3'}",
        tmp_path / "site.bak",
        history_rows,
    )


def postgresql_round_trip(tmp_path):
    """pg_dump of the test database, restored into a database of its own."""
    import psycopg

    settings = connection.settings_dict
    server = f"postgres://{settings['USER'] or 'postgres'}@{settings['HOST'] or '127.0.0.1'}:"
    server += str(settings["PORT"] or 5432)
    restored_name = f"{settings['NAME']}_restored"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{restored_name}"')
        admin.execute(f'CREATE DATABASE "{restored_name}"')

    def history_rows(url):
        with psycopg.connect(url) as db:
            return db.execute(HISTORY).fetchall()

    try:
        assert_round_trip(
            f"{server}/{settings['NAME']}",
            f"{server}/{restored_name}",
            tmp_path / "site.dump",
            history_rows,
        )
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{restored_name}" WITH (FORCE)')


def test_a_backup_restores_the_same_catalogue_and_history(catalogue, tmp_path):
    round_trip = {"sqlite": sqlite_round_trip, "postgresql": postgresql_round_trip}
    round_trip[connection.vendor](tmp_path)
