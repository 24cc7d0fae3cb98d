"""PostgreSQL's search documents hold each Chinese run's n-grams of 3 to 6 characters (cases.search).

A term of four to six characters was a phrase of trigrams, checked in the document of every case
holding them all (务便利化机: 6,747 results, 28 ms at 100,000 cases); it is now one n-gram the
index answers (2 ms). The tokenizer function is replaced and every document made again with it.
SQLite's index is unchanged.
"""

from django.db import migrations

from cases.db_objects import SEARCH_FILL
from cases.search import POSTGRESQL_DOCUMENT_FUNCTION


def documents_with_ngrams(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            POSTGRESQL_DOCUMENT_FUNCTION.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)
        )
        for statement in SEARCH_FILL["postgresql"]:
            cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0016_search_trigrams_on_postgresql"),
    ]

    operations = [
        # Going back keeps the n-grams: the older queries ask for trigrams, which stay.
        migrations.RunPython(documents_with_ngrams, migrations.RunPython.noop),
    ]
