"""A case's lead regions, sectors and sources, read with the case: no query per relation.

Every list of cases shows what each case links to. ``prefetch_related`` reads each relation with
a query of its own, and on PostgreSQL every query is a round trip to another process (0.3-1 ms
each, against 0.05 ms for SQLite in the process): three of a list page's five queries, which is
what kept PostgreSQL's pages behind SQLite's.

The three tables are small (tens of rows) and change only with the catalogue's version (their
writes bump it: cases.db_objects.CATALOGUE_TABLES, SOURCE_TABLES). So the cases' own query
brings, per case, the ids it links to through each relation (a string aggregate a subquery
reads from the join table's index) and the catalogue's version those ids were read at; each
process keeps the three tables' rows per version, read once, and gives every case its linked
rows in the order a prefetch would (the model's ordering). A list is then one query.
"""

import logging
import threading

from django.apps import apps
from django.db.models import OuterRef, StringAgg, Subquery, TextField, Value
from django.db.models.functions import Cast
from django.db.models.query import ModelIterable

# Annotation names: the ids of one relation (``linked_ids_<relation>``), and the version.
IDS = "linked_ids_"
VERSION = "linked_version"
SEPARATOR = ","
# Versions a process keeps the tables of: the current one, and one or two being replaced.
VERSIONS_KEPT = 4

logger = logging.getLogger(__name__)
_tables = {}
_tables_lock = threading.Lock()


def annotations(model, relations):
    """The annotations that bring, with each row of ``model``, the ids of its ``relations``
    (many-to-many fields) and the catalogue's version they are of."""
    version = apps.get_model("cases", "CatalogueVersion").objects.filter(pk=1)
    return {
        VERSION: Subquery(version.values("token")[:1]),
        **{IDS + relation: ids_of(model, relation) for relation in relations},
    }


def ids_of(model, relation):
    """``model``'s ids through the many-to-many field ``relation``, comma-separated (NULL for
    none), as a correlated subquery."""
    field = model._meta.get_field(relation)
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    links = (
        field.remote_field.through.objects.filter(**{source: OuterRef("pk")})
        .order_by()
        .values(source)
        .annotate(ids=StringAgg(Cast(target, TextField()), Value(SEPARATOR)))
        .values("ids")
    )
    return Subquery(links, output_field=TextField())


class LinkedRowsIterable(ModelIterable):
    """Model instances, each with the relations its query annotated (``annotations()``)
    filled in, as ``prefetch_related`` would leave them."""

    def __iter__(self):
        query = self.queryset.query
        relations = [name[len(IDS) :] for name in query.annotation_select if name.startswith(IDS)]
        if not relations:
            yield from super().__iter__()
            return
        tables = None
        for obj in super().__iter__():
            if tables is None:
                version = getattr(obj, VERSION)
                tables = LinkedTables(self.queryset.db, version, self.queryset.model, relations)
            for relation in relations:
                ids = getattr(obj, IDS + relation)
                link(obj, relation, tables.rows(relation, ids.split(SEPARATOR) if ids else ()))
            yield obj


def link(obj, relation, rows):
    """Leave ``rows`` as ``obj``'s prefetched ``relation`` (what Django's prefetch does)."""
    queryset = getattr(obj, relation).get_queryset()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    if not hasattr(obj, "_prefetched_objects_cache"):
        obj._prefetched_objects_cache = {}
    obj._prefetched_objects_cache[relation] = queryset


class LinkedTables:
    """The rows of the linked tables of one query's results, as model instances made once per
    query (instances are never shared between queries, so nothing one page does to them leaks
    into another's)."""

    def __init__(self, db, version, model, relations):
        self.db = db
        self.version = version
        self.models = {
            relation: model._meta.get_field(relation).related_model for relation in relations
        }
        self.tables = tables_at(db, version, self.models)
        self.read_again = False
        self.instances = {}

    def rows(self, relation, ids):
        model = self.models[relation]
        table = self.tables[relation]
        missing = [pk for pk in ids if pk not in table.positions]
        if missing and not self.read_again:
            # Only a write between the cases' query and the tables' read can cause this: read
            # the tables again rather than show a case without one of its links. Once a query:
            # a row deleted meanwhile stays missing, and must not cost a read per case.
            logger.info(
                "Linked %s %s not in the tables of version %s.", relation, missing, self.version
            )
            self.tables = tables_at(self.db, self.version, self.models, fresh=True)
            self.read_again = True
            table = self.tables[relation]
        ordered = sorted((pk for pk in ids if pk in table.positions), key=table.positions.get)
        made = []
        for pk in ordered:
            key = (relation, pk)
            instance = self.instances.get(key)
            if instance is None:
                instance = model.from_db(self.db, table.fields, table.rows[table.positions[pk]])
                self.instances[key] = instance
            made.append(instance)
        return made


class Table:
    """A model's rows in its default order: values of its concrete fields, and where each id
    (as the string the aggregate gives) is among them."""

    def __init__(self, model, db):
        self.fields = [field.attname for field in model._meta.concrete_fields]
        self.rows = list(model._default_manager.using(db).values_list(*self.fields))
        pk_index = self.fields.index(model._meta.pk.attname)
        self.positions = {str(row[pk_index]): i for i, row in enumerate(self.rows)}

    def records(self):
        """Each row as {field: value}, in the model's order."""
        return [dict(zip(self.fields, row, strict=True)) for row in self.rows]


def tables_at(db, version, models, fresh=False):
    """{relation: Table} of ``models`` at catalogue ``version``, each table read once per
    process and version (without a version, e.g. just after a flush, read every time)."""
    return {relation: table_at(db, version, model, fresh) for relation, model in models.items()}


def table_at(db, version, model, fresh=False):
    if version is None:
        return Table(model, db)
    with _tables_lock:
        tables = _tables.setdefault((db, version), {})
        while len(_tables) > VERSIONS_KEPT:
            del _tables[next(iter(_tables))]
    table = None if fresh else tables.get(model._meta.label)
    if table is None:
        table = tables[model._meta.label] = Table(model, db)
    return table


def forget():
    """Drop this process's tables, as a new worker starts (tests)."""
    with _tables_lock:
        _tables.clear()
