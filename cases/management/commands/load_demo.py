from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from cases.fixtures import FIXTURES_DIR, FixtureProblem, check_fixture_files, fixture_paths


class Command(BaseCommand):
    help = (
        "Load the real programs, regions, batches and cases (fixtures/*.json) in one transaction. "
        "Loading again updates the same records; it never duplicates them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fixtures-dir", default=FIXTURES_DIR, help="Folder holding the fixture files."
        )

    def handle(self, *args, fixtures_dir, **options):
        paths = fixture_paths(fixtures_dir)
        try:
            check_fixture_files(paths)
        except FixtureProblem as problem:
            raise CommandError(str(problem)) from problem
        # loaddata runs every file in one transaction: a broken record loads nothing.
        call_command("loaddata", *paths, verbosity=options["verbosity"])
