from django.core.management.base import BaseCommand

from emissions.catalogue import load_reference_data


class Command(BaseCommand):
    help = (
        "Load or refresh the activity catalogue, curated grid factors and the "
        "DESNZ excerpt (idempotent)."
    )

    def handle(self, *args, **options) -> None:
        summary = load_reference_data()
        self.stdout.write(self.style.SUCCESS(f"Reference data ready: {summary}"))
