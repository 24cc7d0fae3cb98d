"""Raw SQL for migrations that differ per database (FTS5 vs tsvector, trigger syntax...)."""


def run_per_vendor(statements_by_vendor):
    """A RunPython function executing the statements listed for the migrating database's vendor.

    A database servtrade does not support gets a clear error rather than a half-built schema.
    """

    def operation(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        statements = statements_by_vendor.get(vendor)
        if statements is None:
            raise RuntimeError(f"servtrade needs SQLite or PostgreSQL, not {vendor}.")
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return operation
