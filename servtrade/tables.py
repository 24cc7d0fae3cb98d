"""What every public table shares."""

from django.utils.html import format_html_join


class LeanRowsMixin:
    """Renders a page of rows in one pass, from the table's own ``cells(record)``.

    django-tables2 renders each cell through its generic machinery (accessor lookups, signature
    inspection, a template node per cell): at a list's 20-100 rows and six columns that was most
    of a page's time. A table with this mixin still declares its columns (headers, sorting,
    visibility, exports all stay django-tables2's); only the body rows are built here, with the
    same markup ``includes/_table.html`` would give. ``cells(record)`` maps each visible column's
    name to its HTML, normally by calling the table's ``render_<name>`` methods. Columns of such
    a table have no ``td`` attributes (they would be ignored).
    """

    def rows_html(self):
        columns = [(column.name, column.header) for column in self.columns]
        rows = (self.cells(row.record) for row in self.paginated_rows)
        return format_html_join(
            "\n",
            "<tr>{}</tr>",
            (
                (
                    format_html_join(
                        "",
                        '<td data-label="{}">{}</td>',
                        ((header, cells[name]) for name, header in columns),
                    ),
                )
                for cells in rows
            ),
        )
