"""Downloads of a public list, through django-tables2's export (``?_export=csv|xlsx|json``).

CSV and JSON stream: rows are read from the database in chunks and written as they come, so a
download of every case keeps a worker's memory flat however long the list grows. XLSX is a zip
that must be finished before it is sent; tablib builds it from the same chunked rows.
"""

import csv
import json

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.encoding import force_str
from django_tables2.export import TableExport as BaseTableExport
from tablib import Dataset

# Rows read from the database at a time (with their prefetched regions and sectors).
CHUNK_SIZE = 1000


class Echo:
    """A file-like object for csv.writer that hands back what it is given."""

    def write(self, value):
        return value


class TableExport(BaseTableExport):
    """Exports that open cleanly where researchers open them.

    - CSV starts with a UTF-8 byte order mark: without it Excel reads UTF-8 as a legacy code page
      and shows Chinese as mojibake.
    - XLSX neutralises cells that start with "=", so text is never run as a formula.
    - JSON is keyed by the columns' stable names (``title_zh``), not by the page's language.
    """

    FORMATS_OFFERED = (BaseTableExport.CSV, BaseTableExport.XLSX, BaseTableExport.JSON)

    def __init__(self, export_format, table, dataset_kwargs=None):
        # Unlike django-tables2's, nothing is read here: rows are read while the response is sent.
        if not self.is_valid_format(export_format):
            raise TypeError(f'Export format "{export_format}" is not supported.')
        self.format = export_format
        self.table = table
        self.columns = table.export_columns()
        self.dataset_kwargs = dataset_kwargs or {}

    @classmethod
    def is_valid_format(cls, export_format):
        return export_format in cls.FORMATS_OFFERED

    def headers(self):
        return [force_str(column.header, strings_only=True) for column in self.columns]

    def rows(self):
        """Each record's values (``Table.values()``, the columns' own), read in chunks."""
        records = self.table.data.data
        if hasattr(records, "iterator"):
            records = records.iterator(chunk_size=CHUNK_SIZE)
        for record in records:
            values = self.table.values(record, self.columns)
            yield [force_str(value, strings_only=True) for value in values.values()]

    def csv_chunks(self):
        writer = csv.writer(Echo())
        yield "\ufeff" + writer.writerow(self.headers())
        for row in self.rows():
            yield writer.writerow(row)

    def json_chunks(self):
        names = [column.name for column in self.columns]
        yield "["
        for number, row in enumerate(self.rows()):
            yield ("," if number else "") + json.dumps(dict(zip(names, row, strict=True)))
        yield "]"

    def response(self, filename=None):
        if self.format == self.CSV:
            response = StreamingHttpResponse(self.csv_chunks(), content_type=self.content_type())
        elif self.format == self.JSON:
            response = StreamingHttpResponse(self.json_chunks(), content_type=self.content_type())
        else:
            dataset = Dataset(*self.rows(), headers=self.headers(), **self.dataset_kwargs)
            response = HttpResponse(
                dataset.export(self.XLSX, escape=True), content_type=self.content_type()
            )
        if filename:
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
