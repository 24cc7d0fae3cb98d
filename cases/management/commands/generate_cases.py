import time

from django.core.management.base import BaseCommand, CommandError

from cases.synthetic import MissingFixtures, generate_cases


class Command(BaseCommand):
    help = (
        "Add N synthetic, published, bilingual cases over the real programs, batches, themes, "
        "sectors and regions (for scale tests and benchmarks). Deterministic for a seed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="How many cases to add.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")

    def handle(self, *args, count, seed, **options):
        if count < 1:
            raise CommandError("--count must be at least 1.")
        started = time.perf_counter()
        try:
            created = generate_cases(count, seed)
        except MissingFixtures as error:
            raise CommandError(str(error)) from error
        seconds = time.perf_counter() - started
        self.stdout.write(f"Added {created} synthetic cases (seed {seed}) in {seconds:.1f} s.")
