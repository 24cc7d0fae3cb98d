"""An index type both databases accept for a list's NULLS LAST order."""

from django.db import models
from django.db.models import OrderBy


class NullsLastIndex(models.Index):
    """An ordinary index, except that SQLite gets ``DESC NULLS LAST`` columns as plain ``DESC``.

    PostgreSQL uses an index for ``ORDER BY x DESC NULLS LAST`` only if the index says so;
    SQLite refuses the clause in an index, and its ``DESC`` already puts NULLs last, so the
    plain index serves the same ORDER BY there.
    """

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "sqlite" and self.expressions:
            index = self.clone()
            index.expressions = tuple(map(without_nulls_last, self.expressions))
            return super(NullsLastIndex, index).create_sql(model, schema_editor, using, **kwargs)
        return super().create_sql(model, schema_editor, using, **kwargs)


def without_nulls_last(expression):
    if isinstance(expression, OrderBy) and expression.descending and expression.nulls_last:
        return OrderBy(expression.expression, descending=True)
    return expression
