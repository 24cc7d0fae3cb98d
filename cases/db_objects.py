"""The database objects Django's models cannot declare, in one place.

Indexes of the cases table are in ``Case.Meta.indexes``. What remains is raw SQL, per database:

- ``search``: the search index (an FTS5 table on SQLite; on PostgreSQL a tsvector table, its
  GIN index and the tokenizer function of cases.search) and the triggers that keep it in step
  with every write to ``cases_case`` (migration 0002);
- ``join-indexes``: the lead-region and sector join tables indexed region-first and
  sector-first, for "the cases of these regions" (migration 0006; Django creates these tables
  itself, so no ``Meta`` of ours can name their indexes);
- ``catalogue-version``: the triggers that change ``CatalogueVersion`` (its token and
  ``changed_at``) on every write to the catalogue (migration 0008), and the same triggers on
  tables added since: ``adoption-catalogue-version`` (0010) and ``source-catalogue-version``
  (sources, 0013);
- ``public-catalogue-version``: on the tables whose rows belong to one case (the cases, their
  regions, sectors, sources and adoptions), the triggers that change the version only when
  the write touches a published case (before or after it), since 0014: a draft imported,
  edited or deleted changes nothing the public sees, and every cached count would otherwise
  be computed again after it.

Each group is created by its migration (``install``), checked by the ``database`` system check
(cases.checks) and by tests/test_db_objects.py, and created again after any ``migrate``
(``repair``, on ``post_migrate``): on SQLite, a migration that alters a column of a table
rebuilds the table, which drops its triggers (and ``before_migrate`` drops those that name
cases_case from other tables, which would stop the rebuild).
"""

from dataclasses import dataclass

from cases.search import POSTGRESQL_DOCUMENT_FUNCTION, SEARCHED_FIELDS


@dataclass(frozen=True)
class DbObject:
    """A trigger, index, table or function; ``create`` is the SQL that makes it."""

    kind: str
    name: str
    create: str
    drop: str


@dataclass(frozen=True)
class Group:
    """Objects created together by one migration, and what fills them after (re)creation."""

    name: str
    migration: str
    objects: dict
    refill: dict


FIELDS = ", ".join(SEARCHED_FIELDS)
NEW_FIELDS = ", ".join(f"new.{field}" for field in SEARCHED_FIELDS)
OLD_FIELDS = ", ".join(f"old.{field}" for field in SEARCHED_FIELDS)
SEARCH_FILL = {
    "sqlite": [
        "DELETE FROM cases_casesearch",
        f"INSERT INTO cases_casesearch(rowid, document) "
        f"SELECT id, servtrade_search_document({FIELDS}) FROM cases_case",
    ],
    "postgresql": [
        f"INSERT INTO cases_casesearch (rowid, document) "
        f"SELECT id, servtrade_search_document({FIELDS}) FROM cases_case "
        f"ON CONFLICT (rowid) DO UPDATE SET document = excluded.document",
        "DELETE FROM cases_casesearch WHERE rowid NOT IN (SELECT id FROM cases_case)",
    ],
}


def trigger(name, table, create, vendor):
    drop = f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if vendor == "postgresql" else "")
    return DbObject("trigger", name, create, drop)


def index(name, table, columns):
    return DbObject(
        "index", name, f"CREATE INDEX {name} ON {table} ({columns})", f"DROP INDEX IF EXISTS {name}"
    )


def function(name, signature, create):
    return DbObject("function", name, create, f"DROP FUNCTION IF EXISTS {name}({signature})")


SEARCH_SQLITE = [
    DbObject(
        "table",
        "cases_casesearch",
        # porter stems English words; unicode61 keeps our CJK bigram tokens whole.
        "CREATE VIRTUAL TABLE cases_casesearch USING fts5("
        "document, tokenize='porter unicode61 remove_diacritics 2')",
        "DROP TABLE IF EXISTS cases_casesearch",
    ),
    trigger(
        "cases_case_search_insert",
        "cases_case",
        f"""CREATE TRIGGER cases_case_search_insert AFTER INSERT ON cases_case BEGIN
            INSERT INTO cases_casesearch(rowid, document)
            VALUES (new.id, servtrade_search_document({NEW_FIELDS}));
        END""",
        "sqlite",
    ),
    trigger(
        "cases_case_search_update",
        "cases_case",
        f"""CREATE TRIGGER cases_case_search_update AFTER UPDATE OF {FIELDS} ON cases_case BEGIN
            UPDATE cases_casesearch SET document = servtrade_search_document({NEW_FIELDS})
            WHERE rowid = new.id;
        END""",
        "sqlite",
    ),
    trigger(
        "cases_case_search_delete",
        "cases_case",
        """CREATE TRIGGER cases_case_search_delete AFTER DELETE ON cases_case BEGIN
            DELETE FROM cases_casesearch WHERE rowid = old.id;
        END""",
        "sqlite",
    ),
]
SEARCH_POSTGRESQL = [
    function("servtrade_search_document", "text[]", POSTGRESQL_DOCUMENT_FUNCTION),
    DbObject(
        "table",
        "cases_casesearch",
        # No foreign key: the triggers below remove a case's row, and a foreign key would make
        # TRUNCATE cases_case (Django's flush, its test teardown) fail.
        """CREATE TABLE cases_casesearch (
            rowid bigint PRIMARY KEY,
            document tsvector NOT NULL
        )""",
        "DROP TABLE IF EXISTS cases_casesearch",
    ),
    DbObject(
        "index",
        "cases_casesearch_document",
        "CREATE INDEX cases_casesearch_document ON cases_casesearch USING gin (document)",
        "DROP INDEX IF EXISTS cases_casesearch_document",
    ),
    # The trigger names no columns (UPDATE OF ...): PostgreSQL would then refuse to alter
    # their type in a migration. The function skips updates that leave the text unchanged.
    function(
        "cases_case_search_sync",
        "",
        f"""CREATE FUNCTION cases_case_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF tg_op = 'DELETE' THEN
                DELETE FROM cases_casesearch WHERE rowid = old.id;
            ELSIF tg_op = 'INSERT' OR ({NEW_FIELDS}) IS DISTINCT FROM ({OLD_FIELDS}) THEN
                INSERT INTO cases_casesearch (rowid, document)
                VALUES (new.id, servtrade_search_document({NEW_FIELDS}))
                ON CONFLICT (rowid) DO UPDATE SET document = excluded.document;
            END IF;
            RETURN NULL;
        END $$""",
    ),
    trigger(
        "cases_case_search_sync",
        "cases_case",
        """CREATE TRIGGER cases_case_search_sync AFTER INSERT OR DELETE OR UPDATE
            ON cases_case FOR EACH ROW EXECUTE FUNCTION cases_case_search_sync()""",
        "postgresql",
    ),
    function(
        "cases_case_search_truncate",
        "",
        """CREATE FUNCTION cases_case_search_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            TRUNCATE cases_casesearch;
            RETURN NULL;
        END $$""",
    ),
    trigger(
        "cases_case_search_truncate",
        "cases_case",
        """CREATE TRIGGER cases_case_search_truncate AFTER TRUNCATE ON cases_case
            FOR EACH STATEMENT EXECUTE FUNCTION cases_case_search_truncate()""",
        "postgresql",
    ),
]

JOIN_INDEXES = [
    index("cases_case_lead_regions_region_case", "cases_case_lead_regions", "region_id, case_id"),
    index("cases_case_sectors_sector_case", "cases_case_sectors", "servicesector_id, case_id"),
]

# Every table whose rows a cached count or label depends on, but those of one case's rows
# (PUBLIC_CASE_TABLES).
CATALOGUE_TABLES = [
    "cases_casebatch",
    "cases_theme",
    "cases_servicesector",
    "regions_region",
    "regions_pilotprogram",
    "regions_membership",
]
# A new random token (not a counter: a rolled-back write can never bring back a number a cache
# entry was stored under). The upsert recreates the row after a flush.
# changed_at is the public pages' Last-Modified; SQLite stores Django's datetimes as UTC text.
SQLITE_BUMP = (
    "INSERT INTO cases_catalogueversion (id, token, changed_at) "
    "VALUES (1, lower(hex(randomblob(16))), strftime('%Y-%m-%d %H:%M:%f', 'now')) "
    "ON CONFLICT (id) DO UPDATE SET token = excluded.token, changed_at = excluded.changed_at"
)
POSTGRESQL_BUMP = (
    "INSERT INTO cases_catalogueversion (id, token, changed_at) "
    "VALUES (1, md5(random()::text), clock_timestamp()) "
    "ON CONFLICT (id) DO UPDATE SET token = excluded.token, changed_at = excluded.changed_at"
)


# SQLite has only row triggers (one small write per changed row); PostgreSQL fires once per
# statement (a bulk insert of 100,000 rows writes the row once) and on TRUNCATE too.
def catalogue_triggers(tables, vendor):
    """The triggers that give the catalogue a new version whenever one of ``tables`` changes."""
    if vendor == "sqlite":
        return [
            trigger(
                f"{table}_catalogue_{event.lower()}",
                table,
                f"""CREATE TRIGGER {table}_catalogue_{event.lower()} AFTER {event} ON {table}
                BEGIN {SQLITE_BUMP}; END""",
                "sqlite",
            )
            for table in tables
            for event in ("INSERT", "UPDATE", "DELETE")
        ]
    return [
        trigger(
            f"{table}_catalogue",
            table,
            f"""CREATE TRIGGER {table}_catalogue AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
            ON {table} FOR EACH STATEMENT EXECUTE FUNCTION cases_catalogue_changed()""",
            "postgresql",
        )
        for table in tables
    ]


CATALOGUE_SQLITE = catalogue_triggers(CATALOGUE_TABLES, "sqlite")
CATALOGUE_POSTGRESQL = [
    function(
        "cases_catalogue_changed",
        "",
        f"""CREATE FUNCTION cases_catalogue_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            {POSTGRESQL_BUMP};
            RETURN NULL;
        END $$""",
    ),
    *catalogue_triggers(CATALOGUE_TABLES, "postgresql"),
]
# Tables that came after 0008 change the version too, each group made by its own migration.
# (Adoptions and the links of cases to sources, once here, are PUBLIC_CASE_TABLES since 0014.)
ADOPTION_TABLES = []
# The source facet counts cases by their sources' kinds.
SOURCE_TABLES = ["cases_source"]

# Rows of one case each, and what says its case is published (a literal of Case.Status, which
# migrations cannot import). A write changes the version when a row before or after it is of a
# published case: publishing and unpublishing do; drafts do not.
PUBLISHED = "'published'"
LINKED_TO_A_CASE = (
    "EXISTS (SELECT 1 FROM cases_case AS c WHERE c.id = {row}.case_id "
    f"AND c.status = {PUBLISHED})"
)
PUBLIC_CASE_TABLES = {
    "cases_case": "{row}.status = " + PUBLISHED,
    "cases_case_lead_regions": LINKED_TO_A_CASE,
    "cases_case_sectors": LINKED_TO_A_CASE,
    "cases_case_sources": LINKED_TO_A_CASE,
    "cases_adoption": LINKED_TO_A_CASE,
}
# Where a row is before and after each event (SQLite's WHEN; PostgreSQL's transition tables).
ROWS_OF_EVENT = {"INSERT": ["new"], "UPDATE": ["old", "new"], "DELETE": ["old"]}


def public_case_triggers_sqlite():
    return [
        trigger(
            f"{table}_public_{event.lower()}",
            table,
            f"""CREATE TRIGGER {table}_public_{event.lower()} AFTER {event} ON {table}
            WHEN {" OR ".join(published.format(row=row) for row in ROWS_OF_EVENT[event])}
            BEGIN {SQLITE_BUMP}; END""",
            "sqlite",
        )
        for table, published in PUBLIC_CASE_TABLES.items()
        for event in ROWS_OF_EVENT
    ]


def public_case_objects_postgresql():
    """Per table, a function that looks for a published case among the statement's rows
    (transition tables: one trigger per event, as PostgreSQL requires) and bumps if one is."""
    objects = []
    for table, published in PUBLIC_CASE_TABLES.items():
        found = {
            rows: f"SELECT 1 FROM {rows}_rows AS r WHERE {published.format(row='r')}"
            for rows in ("old", "new")
        }
        name = f"{table}_public_changed"
        objects.append(
            function(
                name,
                "",
                f"""CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    -- Each transition table exists only for its events: look in it only then.
                    IF TG_OP <> 'DELETE' THEN
                        IF EXISTS ({found["new"]}) THEN {POSTGRESQL_BUMP}; RETURN NULL; END IF;
                    END IF;
                    IF TG_OP <> 'INSERT' THEN
                        IF EXISTS ({found["old"]}) THEN {POSTGRESQL_BUMP}; END IF;
                    END IF;
                    RETURN NULL;
                END $$""",
            )
        )
        for event, rows in ROWS_OF_EVENT.items():
            referencing = " ".join(f"{row.upper()} TABLE AS {row}_rows" for row in rows)
            objects.append(
                trigger(
                    f"{table}_public_{event.lower()}",
                    table,
                    f"""CREATE TRIGGER {table}_public_{event.lower()} AFTER {event} ON {table}
                    REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {name}()""",
                    "postgresql",
                )
            )
        objects.append(
            trigger(
                f"{table}_public_truncate",
                table,
                f"""CREATE TRIGGER {table}_public_truncate AFTER TRUNCATE ON {table}
                FOR EACH STATEMENT EXECUTE FUNCTION cases_catalogue_changed()""",
                "postgresql",
            )
        )
    return objects


def old_case_triggers(connection):
    """The triggers that 0008, 0010 and 0013 made on PUBLIC_CASE_TABLES, which bumped on every
    write; 0014 drops them before it makes the new ones."""
    if connection.vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {t}_catalogue ON {t}" for t in PUBLIC_CASE_TABLES]
    return [
        f"DROP TRIGGER IF EXISTS {table}_catalogue_{event.lower()}"
        for table in PUBLIC_CASE_TABLES
        for event in ROWS_OF_EVENT
    ]


GROUPS = [
    Group(
        "search",
        "0002_case_search_index",
        {"sqlite": SEARCH_SQLITE, "postgresql": SEARCH_POSTGRESQL},
        SEARCH_FILL,
    ),
    Group(
        "join-indexes",
        "0006_list_indexes",
        {"sqlite": JOIN_INDEXES, "postgresql": JOIN_INDEXES},
        {},
    ),
    Group(
        "catalogue-version",
        "0008_catalogue_version_changed_at",
        {"sqlite": CATALOGUE_SQLITE, "postgresql": CATALOGUE_POSTGRESQL},
        {"sqlite": [SQLITE_BUMP], "postgresql": [POSTGRESQL_BUMP]},
    ),
    Group(
        "adoption-catalogue-version",
        "0010_adoptions",
        {
            vendor: catalogue_triggers(ADOPTION_TABLES, vendor)
            for vendor in ("sqlite", "postgresql")
        },
        {},
    ),
    Group(
        "source-catalogue-version",
        "0013_sources_descriptive_titles_notes",
        {vendor: catalogue_triggers(SOURCE_TABLES, vendor) for vendor in ("sqlite", "postgresql")},
        {},
    ),
    Group(
        "public-catalogue-version",
        "0014_drafts_keep_the_catalogue_version",
        {"sqlite": public_case_triggers_sqlite(), "postgresql": public_case_objects_postgresql()},
        {"sqlite": [SQLITE_BUMP], "postgresql": [POSTGRESQL_BUMP]},
    ),
]


def group(name):
    return next(group for group in GROUPS if group.name == name)


def objects_of(group, connection):
    """The group's objects on this connection's database; a clear error on any other."""
    try:
        return group.objects[connection.vendor]
    except KeyError:
        message = f"servtrade needs SQLite or PostgreSQL, not {connection.vendor}."
        raise RuntimeError(message) from None


def existing(connection):
    """{(kind, name)} of the triggers, indexes, tables and functions in the database."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT type, name FROM sqlite_master")
        else:
            cursor.execute(
                """SELECT 'trigger', tgname FROM pg_trigger WHERE NOT tgisinternal
                UNION ALL SELECT 'index', indexname FROM pg_indexes
                    WHERE schemaname = current_schema()
                UNION ALL SELECT 'table', tablename FROM pg_tables
                    WHERE schemaname = current_schema()
                UNION ALL SELECT 'function', proname FROM pg_proc
                    WHERE pronamespace = current_schema()::regnamespace"""
            )
        return set(cursor.fetchall())


def missing(group, connection):
    """The objects of ``group`` that the database lacks."""
    found = existing(connection)
    return [obj for obj in objects_of(group, connection) if (obj.kind, obj.name) not in found]


def install(group, connection):
    """Create the group's missing objects; if any were missing, fill them again (a search
    index rebuilt, a new catalogue version), since writes made meanwhile went unseen."""
    lacking = missing(group, connection)
    with connection.cursor() as cursor:
        for obj in lacking:
            cursor.execute(obj.create)
        if lacking:
            for statement in group.refill.get(connection.vendor, ()):
                cursor.execute(statement)
    return lacking


def uninstall(group, connection):
    with connection.cursor() as cursor:
        for obj in reversed(objects_of(group, connection)):
            cursor.execute(obj.drop)


def migration(name, replace=False):
    """The RunPython operation a migration uses to create (and drop, reversed) a group;
    ``replace`` drops the group first, to change objects that exist already."""
    from django.db import migrations

    def forwards(apps, schema_editor):
        if replace:
            uninstall(group(name), schema_editor.connection)
        install(group(name), schema_editor.connection)

    def backwards(apps, schema_editor):
        uninstall(group(name), schema_editor.connection)

    # Going back over a replacement keeps the objects as they are.
    return migrations.RunPython(forwards, migrations.RunPython.noop if replace else backwards)


def applied_groups(connection):
    """The groups whose migration has run on this database."""
    from django.db.migrations.recorder import MigrationRecorder

    applied = MigrationRecorder(connection).applied_migrations()
    return [group for group in GROUPS if ("cases", group.migration) in applied]


def before_migrate(using, **kwargs):
    """pre_migrate receiver: on SQLite, drop the triggers that read ``cases_case`` from other
    tables (public-catalogue-version). A migration that changes a column of cases_case rebuilds
    it (a new table, then renamed to cases_case), and SQLite refuses that rename while a trigger
    of another table names cases_case, which is gone for that moment. ``repair`` makes them
    again after the migrations, and gives the catalogue a new version for writes in between."""
    from django.db import connections

    connection = connections[using]
    public = group("public-catalogue-version")
    if connection.vendor == "sqlite" and public in applied_groups(connection):
        uninstall(public, connection)


def repair(using, **kwargs):
    """post_migrate receiver: create again what a migration dropped (a SQLite table rebuild)."""
    from django.db import connections

    connection = connections[using]
    for group in applied_groups(connection):
        install(group, connection)
