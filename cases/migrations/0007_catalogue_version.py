"""The catalogue version (cases.models.CatalogueVersion) and the triggers that change it.

Every table whose rows a cached count or label depends on gets triggers that write a new random
token into the single row after any insert, update or delete: cases and their two join tables,
batches, themes, sectors, regions, programs and memberships. PostgreSQL fires once per statement
(a bulk insert of 100,000 rows writes the row once) and on TRUNCATE too; SQLite has only row
triggers, which cost one small write per changed row. The upsert recreates the row after a flush.
"""

from django.db import migrations, models

from servtrade.migration_sql import run_per_vendor

TABLES = [
    "cases_case",
    "cases_case_lead_regions",
    "cases_case_sectors",
    "cases_casebatch",
    "cases_theme",
    "cases_servicesector",
    "regions_region",
    "regions_pilotprogram",
    "regions_membership",
]
SQLITE_BUMP = (
    "INSERT INTO cases_catalogueversion (id, token) VALUES (1, lower(hex(randomblob(16)))) "
    "ON CONFLICT (id) DO UPDATE SET token = excluded.token"
)
SQLITE = [
    f"""CREATE TRIGGER {table}_catalogue_{event.lower()} AFTER {event} ON {table}
    BEGIN {SQLITE_BUMP}; END"""
    for table in TABLES
    for event in ("INSERT", "UPDATE", "DELETE")
]
SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS {table}_catalogue_{event.lower()}"
    for table in TABLES
    for event in ("INSERT", "UPDATE", "DELETE")
]
POSTGRESQL = [
    """CREATE FUNCTION cases_catalogue_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO cases_catalogueversion (id, token) VALUES (1, md5(random()::text))
        ON CONFLICT (id) DO UPDATE SET token = excluded.token;
        RETURN NULL;
    END $$""",
    *(
        f"""CREATE TRIGGER {table}_catalogue AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
        ON {table} FOR EACH STATEMENT EXECUTE FUNCTION cases_catalogue_changed()"""
        for table in TABLES
    ),
]
POSTGRESQL_REVERSE = [
    *(f"DROP TRIGGER IF EXISTS {table}_catalogue ON {table}" for table in TABLES),
    "DROP FUNCTION IF EXISTS cases_catalogue_changed()",
]
FIRST_TOKEN = "INSERT INTO cases_catalogueversion (id, token) VALUES (1, 'initial')"



class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0006_list_indexes"),
        ("regions", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="CatalogueVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.CharField(max_length=32, verbose_name="token")),
            ],
            options={
                "verbose_name": "catalogue version",
                "verbose_name_plural": "catalogue versions",
            },
        ),
        migrations.RunPython(
            run_per_vendor({"sqlite": [*SQLITE, FIRST_TOKEN], "postgresql": [*POSTGRESQL, FIRST_TOKEN]}),
            run_per_vendor({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        ),
    ]
