"""The catalogue version (cases.models.CatalogueVersion). The triggers that change it after any
write to the catalogue's tables (cases.db_objects) are created by 0008, once it has every column
they write."""

from django.db import migrations, models


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
    ]
