"""The catalogue version (cases.models.CatalogueVersion) and the triggers that change it
(cases.db_objects): a new random token after any write to the catalogue's tables."""

from django.db import migrations, models

from cases.db_objects import migration as db_objects


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
        # The triggers and the first token (cases.db_objects).
        db_objects("catalogue-version"),
    ]
