from django.core.management.base import BaseCommand

from servtrade.backup import backup


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the database to FILE while the site runs (SQLite: the "
        "online backup API; PostgreSQL: pg_dump). Restore it with `manage.py restore FILE`."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a new file, e.g. backups/servtrade-2026-12-01.bak")

    def handle(self, file, **options):
        size = backup(file)
        self.stdout.write(f"Backup written to {file} ({size:,} bytes).")
