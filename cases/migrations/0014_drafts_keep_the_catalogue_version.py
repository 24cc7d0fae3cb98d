"""Drafts keep the catalogue version: cases.db_objects' "public-catalogue-version" group.

The triggers of 0008, 0010 and 0013 gave the catalogue a new version on every write to a case
or its links, a draft's included; an import of drafts or an editor's draft edits then made
every cached count be computed again, for nothing the public can see. They are replaced on
those tables by triggers that change the version only when the write touches a published case.
"""

from django.db import migrations

from cases.db_objects import migration as db_objects
from cases.db_objects import old_case_triggers


def drop_old_triggers(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for statement in old_case_triggers(schema_editor.connection):
            cursor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0013_sources_descriptive_titles_notes"),
    ]

    operations = [
        migrations.RunPython(drop_old_triggers, migrations.RunPython.noop),
        db_objects("public-catalogue-version"),
    ]
