"""The cases table's list indexes, raw SQL in 0006 until now, declared in Case.Meta.indexes.

Dropped and created again under the same names, so that Django's state knows them and a table
rebuild (SQLite's way of altering a column) creates them again. Going back leaves them out.

The search index and its triggers are made again from cases.db_objects: PostgreSQL's trigger no
longer names the columns it watches, which made PostgreSQL refuse to alter their type.
"""

import servtrade.indexes
from django.db import migrations, models

from cases.db_objects import migration as db_objects


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0008_catalogue_version_changed_at'),
        ('regions', '0002_change_history'),
    ]

    operations = [
        migrations.RunSQL(
            [
                "DROP INDEX IF EXISTS cases_case_listed",
                "DROP INDEX IF EXISTS cases_case_theme_listed",
                "DROP INDEX IF EXISTS cases_case_batch_listed",
            ],
            migrations.RunSQL.noop,
        ),
        migrations.AddIndex(
            model_name='case',
            index=servtrade.indexes.NullsLastIndex(models.F('status'), models.OrderBy(models.F('published_on'), descending=True, nulls_last=True), models.F('slug'), name='cases_case_listed'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['theme', 'status', 'published_on', 'slug'], name='cases_case_theme_listed'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['batch', 'status', 'published_on', 'slug'], name='cases_case_batch_listed'),
        ),
        db_objects("search", replace=True),
    ]
