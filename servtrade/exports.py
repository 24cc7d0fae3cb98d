"""Downloads of a public list, through django-tables2's export (``?_export=csv|xlsx|json``)."""

from django_tables2.export import TableExport as BaseTableExport


class TableExport(BaseTableExport):
    """Exports that open cleanly where researchers open them.

    - CSV starts with a UTF-8 byte order mark: without it Excel reads UTF-8 as a legacy code page
      and shows Chinese as mojibake.
    - XLSX neutralises cells that start with "=", so text is never run as a formula.
    - JSON is keyed by the columns' stable names (``title_zh``), not by the page's language.
    """

    FORMATS_OFFERED = (BaseTableExport.CSV, BaseTableExport.XLSX, BaseTableExport.JSON)

    @classmethod
    def is_valid_format(cls, export_format):
        return export_format in cls.FORMATS_OFFERED

    def table_to_dataset(self, table, exclude_columns, dataset_kwargs=None):
        dataset = super().table_to_dataset(table, exclude_columns, dataset_kwargs)
        if self.format == self.JSON:
            dataset.headers = [
                column.name
                for column in table.columns.iterall()
                if not (column.column.exclude_from_export or column.name in exclude_columns)
            ]
        return dataset

    def export(self):
        if self.format == self.CSV:
            return "\ufeff" + self.dataset.export(self.CSV)
        if self.format == self.XLSX:
            return self.dataset.export(self.XLSX, escape=True)
        return super().export()
