"""Downloads of a public list, through django-tables2's export (``?_export=csv|xlsx|json``).

CSV and JSON stream: rows are read from the database in chunks and written as they come, so a
download of every case keeps a worker's memory flat however long the list grows. XLSX is a zip
that must be finished before it is sent: openpyxl's write-only mode writes the same chunked rows
to a temporary file as they come, so its memory stays as flat as the CSV's.
"""

import csv
import json
import tempfile

from django.http import FileResponse, StreamingHttpResponse
from django.utils.encoding import force_str
from django_tables2.export import TableExport as BaseTableExport
from openpyxl import Workbook

# Rows read from the database at a time (with their prefetched regions and sectors). Each
# prefetched case carries a QuerySet per relation, about 25 KB a case all told, and a chunk is
# still held while the next is read: 1,000 took a worker from 136 to 164 MB (RssAnon) for a
# download of 100,000 cases and left it there; 200 keep it at 138, for 2,000 more small
# queries (bench/run.py's "CSV export of every case").
CHUNK_SIZE = 200

# What a spreadsheet may read as the start of a formula (OWASP, "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A cell that a spreadsheet could run as a formula, made plain text by a leading ``'``.

    Every CSV and XLSX the site writes goes through this (list downloads, bulk files, the
    admin's export); the admin's import takes the ``'`` off again, so a file round-trips.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def restore(value):
    """The text ``neutralise`` was given (for imports of files the site wrote).

    CSV readers may turn a carriage return into a newline, so ``'`` before one goes too.
    """
    if isinstance(value, str) and value.startswith("'") and value[1:2] in (*FORMULA_TRIGGERS, "\n"):
        return value[1:]
    return value


def write_xlsx(file, headers, rows):
    """An XLSX workbook of one sheet written row by row (openpyxl's write-only mode keeps only
    the current row in memory); ``rows`` must be neutralised already."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    workbook.save(file)


class Echo:
    """A file-like object for csv.writer that hands back what it is given."""

    def write(self, value):
        return value


class TableExport(BaseTableExport):
    """Exports that open cleanly where researchers open them.

    - CSV starts with a UTF-8 byte order mark: without it Excel reads UTF-8 as a legacy code page
      and shows Chinese as mojibake.
    - CSV and XLSX cells that a spreadsheet would run as a formula are neutralised (see
      ``neutralise``); JSON keeps every value as it is.
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

    def spreadsheet_rows(self):
        for row in self.rows():
            yield [neutralise(value) for value in row]

    def csv_chunks(self):
        writer = csv.writer(Echo())
        yield "\ufeff" + writer.writerow(self.headers())
        for row in self.spreadsheet_rows():
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
            # Closed by the response once sent; gone from disk when closed.
            file = tempfile.TemporaryFile()  # noqa: SIM115
            write_xlsx(file, self.headers(), self.spreadsheet_rows())
            file.seek(0)
            response = FileResponse(file, content_type=self.content_type())
        if filename:
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
