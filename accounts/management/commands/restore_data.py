from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.backup import backup_restore


class Command(BaseCommand):
    help = "Restore an archive from backup_data into an empty, migrated database."

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", help="Archive written by backup_data.")

    def handle(self, *args, archive: str, **options) -> None:
        try:
            fingerprint = backup_restore(Path(archive))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {fingerprint['entries']} entries; every total matches."
            )
        )
