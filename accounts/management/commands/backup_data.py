from pathlib import Path

from django.core.management.base import BaseCommand

from accounts.backup import backup_create


class Command(BaseCommand):
    help = "Write the database and uploaded files to one .tar.gz archive."

    def add_arguments(self, parser) -> None:
        parser.add_argument("-o", "--output", required=True, help="Archive to write.")

    def handle(self, *args, output: str, **options) -> None:
        fingerprint = backup_create(Path(output))
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {output}: {fingerprint['entries']} entries."
            )
        )
