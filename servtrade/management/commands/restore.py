from django.core.management.base import BaseCommand

from servtrade.backup import restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into the database DATABASE_URL names, "
        "which must be empty (a new SQLite file, or a database made with createdb)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, file, **options):
        restore(file)
        self.stdout.write(f"Restored {file}. Run `manage.py migrate` if the code is newer.")
