#!/usr/bin/env python
"""Time an import of 1,000 spreadsheet rows through the admin: preview, then confirmation.

The target (issue 11) is under 30 s for both together; the query counts per row are asserted in
tests/cases/test_import.py, this only measures the time. It runs in-process through Django's
test client (the real admin views, a real database, no server), on a fresh SQLite file under
bench/results/ unless DATABASE_URL names another database (which it fills and leaves).

    .venv/bin/python bench/import_bench.py                   # SQLite, 1,000 rows
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/servtrade_import_bench \\
        .venv/bin/python bench/import_bench.py --rows 1000
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class QueryCounter:
    """Counts the queries run inside it (Django's own query log keeps only the last 9,000)."""

    def __init__(self, connection):
        self.connection = connection
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self.wrapper = self.connection.execute_wrapper(self)
        self.wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        return self.wrapper.__exit__(*exc)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        path = ROOT / "bench" / "results" / "import-bench.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for stale in path.parent.glob(path.name + "*"):
            stale.unlink()
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servtrade.settings")
    os.environ.setdefault("CACHE_URL", "locmem://")
    # Production settings over plain HTTP (the test client's), with a key of the benchmark's own.
    os.environ.setdefault("DJANGO_HTTPS", "0")
    if not os.environ.get("DJANGO_SECRET_KEY_FILE"):
        os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-secret-key-" + "x" * 40)

    import django

    django.setup()
    import tablib
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from cases.models import Case, CaseBatch, ServiceSector, Theme
    from cases.resources import COLUMNS
    from regions.models import Region

    setup_test_environment()  # responses carry their template context (the confirm form)
    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0)
    Case.objects.filter(slug__startswith="import-bench-").delete()
    batches = list(CaseBatch.objects.select_related("program"))
    themes = list(Theme.objects.all())
    regions = list(Region.objects.exclude(code=None).exclude(code=""))
    sectors = list(ServiceSector.objects.all())
    rows = []
    for n in range(args.rows):
        batch = batches[n % len(batches)]
        rows.append(
            {
                "slug": f"import-bench-{n:05d}",
                "batch": f"{batch.program.slug}/{batch.number}",
                "theme": themes[n % len(themes)].name_zh,
                "title_zh": f"导入测试案例{n}",
                "title_en": f"Import bench case {n}",
                "summary_zh": "摘要" * 20,
                "summary_en": "A summary. " * 10,
                "lead_regions": ";".join(r.code for r in regions[n % 7 : n % 7 + 2]),
                "sectors": sectors[n % len(sectors)].code,
                "published_on": "2023-11-01",
                "source_url": "https://example.org/case",
            }
        )
    dataset = tablib.Dataset(*[[row.get(c, "") for c in COLUMNS] for row in rows])
    dataset.headers = list(COLUMNS)
    content = dataset.export("csv").encode("utf-8")

    user, _ = get_user_model().objects.get_or_create(
        username="import-bench", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)

    with QueryCounter(connection) as preview_queries:
        started = time.monotonic()
        previewed = client.post(
            reverse("admin:cases_case_import"),
            {"import_file": SimpleUploadedFile("cases.csv", content), "format": "1"},
        )
        preview_seconds = time.monotonic() - started
    result = previewed.context["result"]
    assert not (result.has_errors() or result.has_validation_errors()), "the rows do not pass"
    with QueryCounter(connection) as confirm_queries:
        started = time.monotonic()
        client.post(
            reverse("admin:cases_case_process_import"),
            previewed.context["confirm_form"].initial,
            follow=True,
        )
        confirm_seconds = time.monotonic() - started
    imported = Case.objects.filter(slug__startswith="import-bench-").count()
    assert imported == args.rows, imported

    vendor = connection.vendor
    print(f"import of {args.rows} rows on {vendor}:")
    for name, seconds, queries in [
        ("preview", preview_seconds, preview_queries.count),
        ("confirmation", confirm_seconds, confirm_queries.count),
    ]:
        print(
            f"  {name:<13} {seconds:6.1f} s  {queries:6d} queries ({queries / args.rows:.1f}/row)"
        )
    total = preview_seconds + confirm_seconds
    print(
        f"  together      {total:6.1f} s  (target: under 30 s) {'OK' if total < 30 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
