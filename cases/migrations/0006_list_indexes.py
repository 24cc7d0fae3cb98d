"""Indexes that match the public case list's filters and orderings.

Written as SQL per database because the default order (published_on DESC NULLS LAST, slug) needs
NULLS LAST in a PostgreSQL index, which SQLite's CREATE INDEX refuses (SQLite's DESC already puts
NULLs last, so its index without the clause serves the same ORDER BY). Django's state does not
know these indexes; nothing in the models depends on them.

The join tables already have a unique index (case_id, region_id / servicesector_id) that answers
"the regions of these cases"; the reverse ones answer "the cases of these regions", the filters'
subqueries, from the index alone.
"""

from django.db import migrations

from servtrade.migration_sql import run_per_vendor

COMMON = [
    "CREATE INDEX cases_case_lead_regions_region_case "
    "ON cases_case_lead_regions (region_id, case_id)",
    "CREATE INDEX cases_case_sectors_sector_case ON cases_case_sectors (servicesector_id, case_id)",
    # A theme or a batch with the list's order: a filtered first page without a sort.
    "CREATE INDEX cases_case_theme_listed ON cases_case (theme_id, status, published_on, slug)",
    "CREATE INDEX cases_case_batch_listed ON cases_case (batch_id, status, published_on, slug)",
]
SQLITE = [
    "CREATE INDEX cases_case_listed ON cases_case (status, published_on DESC, slug)",
    *COMMON,
]
POSTGRESQL = [
    "CREATE INDEX cases_case_listed ON cases_case (status, published_on DESC NULLS LAST, slug)",
    *COMMON,
]
REVERSE = [
    "DROP INDEX IF EXISTS cases_case_listed",
    "DROP INDEX IF EXISTS cases_case_lead_regions_region_case",
    "DROP INDEX IF EXISTS cases_case_sectors_sector_case",
    "DROP INDEX IF EXISTS cases_case_theme_listed",
    "DROP INDEX IF EXISTS cases_case_batch_listed",
]



class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0005_editor_and_publisher_roles"),
    ]

    operations = [
        migrations.RunPython(
            run_per_vendor({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            run_per_vendor({"sqlite": REVERSE, "postgresql": REVERSE}),
        ),
    ]
