"""What every public table shares: columns declared once, and their rows.

A public list's column says in one place what the page shows (``html``) and what the downloads
(and the API) carry (``value``). django-tables2 still gives the headers, sorting, visibility and
pages; the cells are never rendered through its per-cell machinery (accessor lookups and
signature inspection for every cell were most of a list page's time): ``Table.rows_html()``
and ``Table.values()`` call each column's own functions once per cell.
"""

import django_tables2 as tables
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

# What a page shows for an empty value (django-tables2's default).
EMPTY = "—"


class Column(tables.Column):
    """One column of a public list, declared once.

    - ``html(record)``: the page's cell (safe HTML or plain text, escaped in the template).
      Without it the column is in the downloads only.
    - ``value(record)``: the plain value the downloads and the API carry. Without it the column
      is on the page only. ``absolute=True``: the value is a path, made an absolute URL with the
      request.
    - Sorting is off unless ``order_by`` is given, or ``orderable=True`` (then by the table's
      ``order_<name>`` method, django-tables2's hook).
    - ``data``: what the bulk files' data dictionary says of a downloaded column: its
      Frictionless type and its meaning in English and Chinese, ``(type, english, chinese)``.
    """

    def __init__(
        self,
        verbose_name,
        *,
        html=None,
        value=None,
        absolute=False,
        orderable=None,
        order_by=None,
        attrs=None,
        data=None,
    ):
        super().__init__(
            verbose_name=verbose_name,
            visible=html is not None,
            exclude_from_export=value is None,
            orderable=bool(orderable or order_by),
            order_by=order_by,
            attrs=attrs,
            # Every record reaches html/value, which decide what an empty value shows.
            empty_values=(),
        )
        self.html = html
        self.to_value = value
        self.absolute = absolute
        self.data = data

    # django-tables2's own hooks, so that its generic paths (as_values(), row.items()) give
    # the same as ours.

    def render(self, record):
        return self.html(record)

    def value(self, record):
        return self.to_value(record)


class Table(tables.Table):
    """A public list's table of ``Column``s, rendered by ``includes/_table.html``."""

    @classmethod
    def sort_keys(cls):
        """The values ``sort`` takes: each sortable column, ``-`` before it for descending."""
        names = [name for name, column in cls.base_columns.items() if column.orderable]
        return [key for name in names for key in (name, f"-{name}")]

    def rows_html(self):
        """The page's body rows, each cell from its column's ``html``, labelled by its header
        for phones (``data-label``). Built here, not cell by cell in the template: at 100 rows
        and six columns a template loop costs about a tenth of the page."""
        columns = [
            (
                format_html('<td{} data-label="{}">', flatatt(column.attrs["td"]), column.header),
                column.column.html,
            )
            for column in self.columns
        ]
        # Safe: every cell is escaped unless its column's html() marked it safe.
        return mark_safe(
            "\n".join(
                "<tr>"
                + "".join(
                    f"{td}{conditional_escape(html(row.record))}</td>" for td, html in columns
                )
                + "</tr>"
                for row in self.paginated_rows
            )
        )

    def export_columns(self):
        """The bound columns the downloads and the API carry, in order."""
        return [
            column for column in self.columns.iterall() if not column.column.exclude_from_export
        ]

    def values(self, record, columns=None):
        """{column name: plain value} of one record, for the downloads and the API."""
        values = {}
        for column in columns or self.export_columns():
            value = column.column.to_value(record)
            if column.column.absolute and value:
                value = self.request.build_absolute_uri(value)
            values[column.name] = value
        return values


def joined(items, attribute, separator="; "):
    """The ``attribute`` of each of ``items`` in one cell of a download."""
    return separator.join(getattr(item, attribute) for item in items)
