from django.core.management.base import BaseCommand, CommandError

from cases.facts import FactsError, FixtureBuilder, load_sources, write_fixtures


class Command(BaseCommand):
    help = (
        "Rebuild fixtures/*.json from fixtures/source/servtrade_facts.json (the facts) and "
        "fixtures/source/editorial.json (our slugs and summaries)."
    )

    def handle(self, *args, **options):
        facts, editorial = load_sources()
        try:
            built = FixtureBuilder(facts, editorial).build()
        except FactsError as error:
            raise CommandError(f"The facts and editorial.json disagree: {error}") from error
        for path in write_fixtures(built):
            self.stdout.write(f"wrote {path.relative_to(path.parent.parent)}")
