"""Consistent backups of a running site, and their restore into an empty database.

SQLite: the online backup API copies the database page by page as one snapshot while the site
keeps reading and writing (a writer waits for the copy's last step at most). PostgreSQL:
``pg_dump`` in its custom format, which reads everything in one transaction snapshot;
``pg_restore`` loads it in one transaction. A backup holds everything: the catalogue, the
change history, staff accounts and sessions.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.core.management.base import CommandError
from django.db import connection

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"


def _postgres_environment():
    """libpq's variables for the configured database (no password on a command line)."""
    settings = connection.settings_dict
    env = {**os.environ, "PGDATABASE": settings["NAME"]}
    for key, variable in [("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")]:
        if settings.get(key):
            env[variable] = str(settings[key])
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    return env


def _tool(name):
    path = shutil.which(name)
    if path is None:
        raise CommandError(
            f"{name} is not installed: on Debian, apt-get install postgresql-client-15."
        )
    return path


def backup(path):
    path = Path(path)
    if path.exists():
        raise CommandError(f"{path} exists already; choose a new file name.")
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)  # all pages in one step: one snapshot
        finally:
            target.close()
    elif connection.vendor == "postgresql":
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(path)])
    else:
        raise CommandError(f"No backup for {connection.vendor} databases.")
    return path.stat().st_size


def restore(path):
    path = Path(path)
    if not path.is_file():
        raise CommandError(f"There is no backup file {path}.")
    header = path.read_bytes()[:16]
    tables = connection.introspection.table_names()
    if tables:
        raise CommandError(
            f"The database {connection.settings_dict['NAME']} is not empty ({len(tables)} "
            "tables): restore into a new, empty database, then point DATABASE_URL at it."
        )
    if connection.vendor == "sqlite":
        if not header.startswith(SQLITE_HEADER):
            raise CommandError(f"{path} is not a SQLite backup (made with DATABASE_URL=sqlite:).")
        connection.ensure_connection()
        source = sqlite3.connect(path)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    elif connection.vendor == "postgresql":
        if not header.startswith(PG_DUMP_HEADER):
            raise CommandError(f"{path} is not a PostgreSQL backup (made with pg_dump).")
        connection.close()  # pg_restore works on its own connection
        _run(
            [
                _tool("pg_restore"),
                "--no-owner",
                "--exit-on-error",
                "--single-transaction",
                "--dbname",
                connection.settings_dict["NAME"],
                str(path),
            ]
        )
    else:
        raise CommandError(f"No restore for {connection.vendor} databases.")


def _run(command):
    result = subprocess.run(
        command, env=_postgres_environment(), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise CommandError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")
