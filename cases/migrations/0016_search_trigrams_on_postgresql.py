"""PostgreSQL's search documents hold the trigrams of each Chinese run too (cases.search).

The tokenizer function is replaced and every document made again with it. SQLite's index is
unchanged: FTS5 keeps the positions of its tokens in the index and answers a phrase from it.
"""

from django.db import migrations

from cases.db_objects import SEARCH_FILL
from cases.search import POSTGRESQL_DOCUMENT_FUNCTION


def documents_with_trigrams(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(POSTGRESQL_DOCUMENT_FUNCTION.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
        for statement in SEARCH_FILL["postgresql"]:
            cursor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0015_admin_list_index"),
    ]

    operations = [
        # Going back keeps the trigrams: the older queries never ask for them.
        migrations.RunPython(documents_with_trigrams, migrations.RunPython.noop),
    ]
