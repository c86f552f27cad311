from django.core.management.base import BaseCommand

from accounts.demo import seed_accounts
from emissions.catalogue import load_reference_data


class Command(BaseCommand):
    help = "Create or refresh the demo organisations, users and data (idempotent)."

    def handle(self, *args, **options) -> None:
        load_reference_data()
        organisations = seed_accounts()
        self.stdout.write(
            self.style.SUCCESS(f"Demo organisations ready: {', '.join(organisations)}")
        )
