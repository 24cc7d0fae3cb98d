# The case's optimistic-locking version (cases/admin.py CaseForm).
#
# On SQLite, Django adds a column with a default by rebuilding the table, which drops the
# table's triggers (the search index's, migration 0002, and the catalogue version's, 0007). So
# the column is added with ALTER TABLE on both databases, which keeps them.

from django.db import migrations, models

from servtrade.migration_sql import run_per_vendor

ADD_COLUMN = {
    "sqlite": [
        "ALTER TABLE cases_case ADD COLUMN version integer unsigned NOT NULL DEFAULT 1 "
        "CHECK (version >= 0)"
    ],
    "postgresql": [
        "ALTER TABLE cases_case ADD COLUMN version integer NOT NULL DEFAULT 1 "
        "CHECK (version >= 0)"
    ],
}
DROP_COLUMN = {
    "sqlite": ["ALTER TABLE cases_case DROP COLUMN version"],
    "postgresql": ["ALTER TABLE cases_case DROP COLUMN version"],
}


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0007_catalogue_version'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunPython(run_per_vendor(ADD_COLUMN), run_per_vendor(DROP_COLUMN)),
            ],
            state_operations=[
                migrations.AddField(
                    model_name='case',
                    name='version',
                    field=models.PositiveIntegerField(default=1, verbose_name='version'),
                ),
            ],
        ),
        migrations.AddField(
            model_name='historicalcase',
            name='version',
            field=models.PositiveIntegerField(default=1, verbose_name='version'),
        ),
    ]
