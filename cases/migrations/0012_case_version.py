# The case's optimistic-locking version (cases/admin.py CaseForm).
#
# On SQLite, Django adds this column by rebuilding the cases table, which drops its triggers;
# cases.db_objects.repair (post_migrate) makes them again, and tests/test_db_objects.py holds it.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0011_suggestions'),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='version',
            field=models.PositiveIntegerField(default=1, verbose_name='version'),
        ),
        migrations.AddField(
            model_name='historicalcase',
            name='version',
            field=models.PositiveIntegerField(default=1, verbose_name='version'),
        ),
    ]
