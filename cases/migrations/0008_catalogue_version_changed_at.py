"""The catalogue version records when it changed: public pages' Last-Modified (issue 10).

The triggers (cases.db_objects) are made again to set ``changed_at`` with every new token: on a
database that 0007 gave the earlier triggers they are dropped and created again; on a new
database they are created here.
"""

from django.db import migrations, models

from cases.db_objects import migration as db_objects


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
        # The triggers, and a first token and date (cases.db_objects).
        db_objects("catalogue-version", replace=True),
    ]
