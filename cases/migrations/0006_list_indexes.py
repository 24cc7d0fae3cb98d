"""Indexes that match the public case list's filters and orderings.

The cases table's indexes were raw SQL here; they are now declared in ``Case.Meta.indexes``
(migration 0009 replaces them). The join tables' region-first and sector-first indexes stay
with the other raw database objects in cases.db_objects: Django creates those tables itself.
"""

from django.db import migrations

from cases.db_objects import migration as db_objects


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0005_editor_and_publisher_roles"),
    ]

    operations = [
        db_objects("join-indexes"),
    ]
