"""The catalogue version records when it changed: public pages' Last-Modified (issue 10).

The triggers of 0007 are rewritten to set ``changed_at`` with every new token: SQLite's are
dropped and created again (a trigger cannot be altered), PostgreSQL's function is replaced.
"""

from importlib import import_module

from django.db import migrations, models

from servtrade.migration_sql import run_per_vendor

previous = import_module("cases.migrations.0007_catalogue_version")
TABLES = previous.TABLES
EVENTS = ("INSERT", "UPDATE", "DELETE")

# SQLite stores Django's datetimes as UTC text, "YYYY-MM-DD HH:MM:SS.fff".
SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
SQLITE_BUMP = (
    "INSERT INTO cases_catalogueversion (id, token, changed_at) "
    f"VALUES (1, lower(hex(randomblob(16))), {SQLITE_NOW}) "
    "ON CONFLICT (id) DO UPDATE SET token = excluded.token, changed_at = excluded.changed_at"
)
SQLITE = [
    *previous.SQLITE_REVERSE,
    *(
        f"""CREATE TRIGGER {table}_catalogue_{event.lower()} AFTER {event} ON {table}
        BEGIN {SQLITE_BUMP}; END"""
        for table in TABLES
        for event in EVENTS
    ),
    f"UPDATE cases_catalogueversion SET changed_at = {SQLITE_NOW}",
]
SQLITE_REVERSE = [*previous.SQLITE_REVERSE, *previous.SQLITE]

POSTGRESQL_FUNCTION = """CREATE OR REPLACE FUNCTION cases_catalogue_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO cases_catalogueversion (id, token, changed_at)
        VALUES (1, md5(random()::text), clock_timestamp())
        ON CONFLICT (id) DO UPDATE SET token = excluded.token, changed_at = excluded.changed_at;
        RETURN NULL;
    END $$"""
POSTGRESQL = [POSTGRESQL_FUNCTION, "UPDATE cases_catalogueversion SET changed_at = now()"]
POSTGRESQL_REVERSE = [previous.POSTGRESQL[0].replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION")]


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0007_catalogue_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="catalogueversion",
            name="changed_at",
            field=models.DateTimeField(null=True, verbose_name="changed at"),
        ),
        migrations.RunPython(
            run_per_vendor({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            run_per_vendor({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        ),
    ]
