"""Every index and trigger the database must have, also after a migration rebuilds a table."""

import pytest
from django.core.checks import run_checks
from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import connection, migrations, models
from django.db.migrations.loader import MigrationLoader

from cases.db_objects import existing
from cases.models import Case, CatalogueVersion
from tests.factories import CaseFactory

CATALOGUE_TABLES = [
    "cases_casebatch",
    "cases_theme",
    "cases_servicesector",
    "regions_region",
    "regions_pilotprogram",
    "regions_membership",
    "cases_source",
]
# Their triggers change the version only for a write that touches a published case.
PUBLIC_CASE_TABLES = [
    "cases_case",
    "cases_case_lead_regions",
    "cases_case_sectors",
    "cases_case_sources",
    "cases_adoption",
]
EVENTS = ("insert", "update", "delete")
INDEXES = [
    "cases_case_listed",
    "cases_case_theme_listed",
    "cases_case_batch_listed",
    "cases_case_lead_regions_region_case",
    "cases_case_sectors_sector_case",
]
REQUIRED = {
    "sqlite": {
        ("table", "cases_casesearch"),
        *(("index", name) for name in INDEXES),
        ("trigger", "cases_case_search_insert"),
        ("trigger", "cases_case_search_update"),
        ("trigger", "cases_case_search_delete"),
        *(
            ("trigger", f"{table}_catalogue_{event}")
            for table in CATALOGUE_TABLES
            for event in EVENTS
        ),
        *(("trigger", f"{t}_public_{event}") for t in PUBLIC_CASE_TABLES for event in EVENTS),
    },
    "postgresql": {
        ("table", "cases_casesearch"),
        *(("index", name) for name in INDEXES),
        ("index", "cases_casesearch_document"),
        ("function", "servtrade_search_document"),
        ("function", "cases_case_search_sync"),
        ("function", "cases_case_search_truncate"),
        ("function", "cases_catalogue_changed"),
        ("trigger", "cases_case_search_sync"),
        ("trigger", "cases_case_search_truncate"),
        *(("trigger", f"{table}_catalogue") for table in CATALOGUE_TABLES),
        *(("function", f"{table}_public_changed") for table in PUBLIC_CASE_TABLES),
        *(
            ("trigger", f"{table}_public_{event}")
            for table in PUBLIC_CASE_TABLES
            for event in (*EVENTS, "truncate")
        ),
    },
}


def lacking():
    return sorted(REQUIRED[connection.vendor] - existing(connection))


def database_errors():
    return [error.msg for error in run_checks(databases=["default"]) if error.id == "cases.E001"]


@pytest.mark.django_db
def test_the_database_has_every_index_and_trigger():
    assert lacking() == []
    assert database_errors() == []


@pytest.mark.django_db
def test_the_list_index_keeps_nulls_last_where_the_database_can():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'cases_case_listed'")
            expected = '"published_on" DESC, "slug"'
        else:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'cases_case_listed'")
            expected = "published_on DESC NULLS LAST, slug"
        assert expected in cursor.fetchone()[0]


def title_field(max_length):
    return models.CharField("Chinese title", max_length=max_length, blank=True)


def alter_title(old_length, new_length):
    """What a migration altering ``Case.title_zh`` does: SQLite rebuilds the whole table."""
    before = MigrationLoader(connection).project_state()
    migrations.AlterField("case", "title_zh", title_field(old_length)).state_forwards(
        "cases", before
    )
    after = before.clone()
    operation = migrations.AlterField("case", "title_zh", title_field(new_length))
    operation.state_forwards("cases", after)
    with connection.schema_editor() as editor:
        operation.database_forwards("cases", editor, before, after)


# Transactional (a schema change cannot be rolled back on every vendor) but not
# serialized_rollback: after any other transactional test's flush, post_migrate has made the
# content types again under new ids, and restoring the serialized ones would collide.
@pytest.mark.django_db(transaction=True)
def test_a_migration_that_rebuilds_the_cases_table_keeps_every_index_and_trigger():
    # What migrate does before the migrations it runs.
    emit_pre_migrate_signal(verbosity=0, interactive=False, db="default")
    alter_title(300, 400)
    if connection.vendor == "sqlite":
        # The rebuild dropped the table's triggers: the check says which.
        assert "cases_case_search_insert" in " ".join(database_errors())
    # What migrate does after the migrations it ran.
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    try:
        assert lacking() == []
        assert database_errors() == []
        # The recreated triggers work: a new case is found and changes the catalogue version.
        version = CatalogueVersion.objects.current()
        CaseFactory(title_en="Rebuilt tribology")
        assert [c.title_en for c in Case.objects.search("tribology")] == ["Rebuilt tribology"]
        assert CatalogueVersion.objects.current() != version
    finally:
        emit_pre_migrate_signal(verbosity=0, interactive=False, db="default")
        alter_title(400, 300)
        emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert lacking() == []
