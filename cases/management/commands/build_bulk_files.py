"""Build the bulk files (CSV, XLSX, JSON and datapackage.json) when the catalogue changed."""

from django.core.management.base import BaseCommand

from cases import bulk


class Command(BaseCommand):
    help = (
        "Write the whole published catalogue as CSV, XLSX, JSON and a Frictionless data package "
        "into BULK_FILES_DIR, if the catalogue changed since the last build. Run it after "
        "publishing, or every few minutes from cron: an unchanged catalogue costs one query."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Build even if unchanged.")

    def handle(self, *args, force=False, **options):
        manifest = bulk.build(force=force)
        if manifest is None:
            self.stdout.write("The bulk files are up to date with the catalogue.")
            return
        self.stdout.write(
            f"Built {len(manifest['files'])} files of {manifest['rows']} cases "
            f"in {bulk.bulk_dir()}."
        )
