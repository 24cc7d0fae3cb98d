"""SQLite under concurrent use: a publisher publishes a batch while visitors read the lists and
an import runs. Nobody gets "database is locked" (writers wait their turn: WAL, IMMEDIATE
transactions, a busy timeout), and nothing is half-written (each write is one transaction).

The site runs under gunicorn (two workers) on a SQLite file; the import runs in a process of
its own, as an editor's would in another worker.
"""

import re
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from cases.models import Case
from tests.factories import CaseBatchFactory, CaseFactory, RegionFactory, SuperuserFactory
from tests.services import ROOT, SiteServer, http_get

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's locking"),
]

# Sizes that take a publish and an import several seconds each on a busy machine.
BATCH_SIZE = 100
IMPORT_ROWS = 100
VISITOR_PAGES = ["/en/cases/", "/zh-hans/cases/?q=%E6%A1%88%E4%BE%8B", "/en/", "/en/regions/"]
HTTPS = {"X-Forwarded-Proto": "https"}  # as behind the proxy production expects

IMPORT = """
import tablib
from cases.resources import CaseResource, COLUMNS
rows = [[f"imported-{n:04d}", "pilot-load/1", "Theme for load", f"导入{n}", f"Imported {n}",
         "", "", "", "", "110000", "", "", ""] for n in range(ROWS)]
dataset = tablib.Dataset(*rows, headers=list(COLUMNS))
result = CaseResource().import_data(dataset, dry_run=False, use_transactions=True,
                                    rollback_on_validation_errors=True)
print("ERRORS" if result.has_errors() or result.has_validation_errors() else "IMPORTED",
      result.totals)
"""


@pytest.fixture
def site_file(tmp_path):
    from cases.models import Theme
    from regions.models import PilotProgram

    program = PilotProgram.objects.create(slug="pilot-load", name_zh="试点", name_en="Pilot")
    batch = CaseBatchFactory(program=program, number=1)
    theme = Theme.objects.create(slug="load", name_zh="负载主题", name_en="Theme for load")
    region = RegionFactory(code="110000")
    for number in range(5):
        CaseFactory(batch=batch, theme=theme, title_zh=f"案例{number}", lead_regions=[region])
    drafts = Case.objects.bulk_create(
        Case(
            batch=batch,
            theme=theme,
            slug=f"draft-{number:04d}",
            title_zh=f"草稿{number}",
            title_en=f"Draft {number}",
        )
        for number in range(BATCH_SIZE)
    )
    Case.lead_regions.through.objects.bulk_create(
        Case.lead_regions.through(case_id=case.pk, region_id=region.pk) for case in drafts
    )
    user = SuperuserFactory(username="publisher")
    hashed = PBKDF2PasswordHasher().encode("a-good-password", "testsalt1234", iterations=1000)
    type(user).objects.filter(pk=user.pk).update(password=hashed)
    path = tmp_path / "site.sqlite3"
    with sqlite3.connect(path) as target:
        connection.connection.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
    return path, batch.pk


def token(body):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)


def publish_batch(server, batch_pk, outcome):
    cookies = {}
    login = server.url + "/admin/login/"
    status, body, _ = http_get(login, cookies=cookies, headers=HTTPS, timeout=300)
    form = {
        "csrfmiddlewaretoken": token(body),
        "username": "publisher",
        "password": "a-good-password",
        "next": "/admin/",
    }
    referer = {**HTTPS, "Referer": f"https://127.0.0.1:{server.port}/admin/"}
    status, _, _ = http_get(
        login,
        data=urllib.parse.urlencode(form).encode(),
        cookies=cookies,
        headers=referer,
        timeout=300,
    )
    assert status == 302
    changelist = server.url + "/admin/cases/casebatch/"
    status, body, _ = http_get(changelist, cookies=cookies, headers=HTTPS, timeout=300)
    action = {
        "csrfmiddlewaretoken": token(body),
        "action": "publish_batch",
        "_selected_action": str(batch_pk),
    }
    outcome["publish"] = http_get(
        changelist,
        data=urllib.parse.urlencode(action).encode(),
        cookies=cookies,
        headers=referer,
        timeout=300,
    )


def run_import(database_url, outcome):
    outcome["import"] = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", IMPORT.replace("ROWS", str(IMPORT_ROWS))],
        cwd=ROOT,
        env={**SiteServer(database_url).env},
        capture_output=True,
        text=True,
        timeout=600,
    )


def visit(server, stop, answers):
    while not stop.is_set():
        for page in VISITOR_PAGES:
            try:
                status, body, _ = http_get(server.url + page, timeout=120)
            except OSError as error:  # a refused or dropped connection is a failure too
                status, body = repr(error), ""
            answers.append((page, status, "locked" in body))


def test_publishing_importing_and_reading_at_once(site_file):
    path, batch_pk = site_file
    database_url = f"sqlite:///{path}"
    server = SiteServer(database_url, workers=2, timeout=300).start()
    stop, answers, outcome = threading.Event(), [], {}
    visitors = [threading.Thread(target=visit, args=(server, stop, answers)) for _ in range(3)]
    writers = [
        threading.Thread(target=publish_batch, args=(server, batch_pk, outcome)),
        threading.Thread(target=run_import, args=(database_url, outcome)),
    ]
    try:
        for thread in visitors:
            thread.start()
        time.sleep(0.5)
        for thread in writers:
            thread.start()
        for thread in writers:
            thread.join(timeout=600)
    finally:
        stop.set()
        for thread in visitors:
            thread.join(timeout=60)
        server.stop()

    log = server.log_text()
    assert "database is locked" not in log
    assert answers, "no visitor got an answer"
    assert [answer for answer in answers if answer[1] != 200 or answer[2]] == []
    status, body, _ = outcome["publish"]
    assert status == 302, body[:300]
    assert outcome["import"].returncode == 0, outcome["import"].stderr[-2000:]
    assert "IMPORTED" in outcome["import"].stdout, outcome["import"].stdout

    with sqlite3.connect(path) as db:
        statuses = dict(
            db.execute(
                "SELECT status, count(*) FROM cases_case WHERE slug LIKE 'draft-%' GROUP BY status"
            ).fetchall()
        )
        imported = db.execute(
            "SELECT (SELECT count(*) FROM cases_case WHERE slug LIKE 'imported-%'), "
            "(SELECT count(DISTINCT id) FROM cases_historicalcase WHERE slug LIKE 'imported-%')"
        ).fetchone()
    assert statuses == {"published": BATCH_SIZE}  # the whole batch, not part of it
    # Every row, each with its history (the import's cases join the batch: if the import
    # finished first, the publisher published them too).
    assert imported == (IMPORT_ROWS, IMPORT_ROWS)


BUILD = """
import time
from cases.counting import CaseBitmaps
began = time.monotonic()
version, bitmaps = CaseBitmaps.build()
print("BUILT", len(bitmaps.ids), round(time.monotonic() - began, 1))
"""


def test_the_counting_bitmaps_are_read_while_a_writer_holds_the_lock(site_file):
    """A build only reads: it neither waits for an import's write lock nor holds one (the
    site's transactions are IMMEDIATE; the build's snapshot is DEFERRED)."""
    path, _ = site_file
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # holds the write lock, as an import's transaction does
    writer.execute("UPDATE cases_theme SET name_en = name_en || ' (edited)'")
    try:
        env = {**SiteServer(f"sqlite:///{path}").env, "SQLITE_BUSY_TIMEOUT": "2"}
        built = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", BUILD],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert "BUILT 5 " in built.stdout, built.stderr[-2000:]
