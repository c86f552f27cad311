from django.core.management.base import BaseCommand

from accounts.demo import seed_accounts
from emissions.catalogue import load_reference_data
from emissions.demo import seed_emissions
from reports.demo import seed_report_texts


class Command(BaseCommand):
    help = "Create or refresh the demo organisations, users and data (idempotent)."

    def handle(self, *args, **options) -> None:
        load_reference_data()
        organisations = seed_accounts()
        seed_emissions(organisations, before_closing=seed_report_texts)
        self.stdout.write(
            self.style.SUCCESS(f"Demo organisations ready: {', '.join(organisations)}")
        )
