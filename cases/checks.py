"""System check: the database has every trigger and raw index of cases.db_objects."""

from django.core.checks import Error, Tags, register
from django.db import connections

from cases.db_objects import applied_groups, missing


@register(Tags.database)
def check_database_objects(databases=None, **kwargs):
    """Runs with ``manage.py check --database default`` and before ``migrate``."""
    errors = []
    for alias in databases or ():
        connection = connections[alias]
        for group in applied_groups(connection):
            errors += [
                Error(
                    f"The database {alias!r} lacks the {obj.kind} {obj.name} ({group.name}).",
                    hint="`manage.py migrate --skip-checks` creates it again (cases.db_objects).",
                    id="cases.E001",
                )
                for obj in missing(group, connection)
            ]
    return errors
