from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Organisation, User
from accounts.roles import Role
from emissions.imports.commit import import_commit
from emissions.imports.preview import import_preview
from emissions.models import ImportBatch


class Command(BaseCommand):
    help = "Import an activity spreadsheet (the import template) into an organisation."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file")
        parser.add_argument("--org", required=True, help="Organisation slug.")
        parser.add_argument(
            "--user", help="E-mail of the importing member (an admin by default)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Preview only.")
        parser.add_argument("--confirm-duplicate", action="store_true")

    def handle(self, *args, **options) -> None:
        organisation = Organisation.objects.filter(slug=options["org"]).first()
        if organisation is None:
            raise CommandError(f"No organisation with the slug {options['org']!r}.")
        if options["user"]:
            actor = User.objects.filter(email=options["user"].lower()).first()
        else:
            actor = User.objects.filter(
                memberships__organisation=organisation, memberships__role=Role.ADMIN
            ).first()
        if actor is None:
            raise CommandError("No such user; give --user with a member's e-mail.")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        try:
            with transaction.atomic():
                preview = import_preview(
                    organisation=organisation,
                    actor=actor,
                    file_name=path.name,
                    data=path.read_bytes(),
                )
                for row in preview.error_rows:
                    for column, message in row.errors:
                        self.stderr.write(f"row {row.number} {column}: {message}")
                if not preview.is_valid:
                    # The batch goes with the transaction; so do its files.
                    _discard_files(preview.batch)
                    count = len(preview.error_rows)
                    raise CommandError(
                        f"{count} rows have errors; nothing was imported."
                    )
                totals = ", ".join(
                    f"scope {scope}: {kg / 1000:.3f} t"
                    for scope, kg in preview.totals_by_scope().items()
                )
                self.stdout.write(f"{preview.row_count} rows valid ({totals}).")
                if options["dry_run"]:
                    transaction.set_rollback(True)
                    _discard_files(preview.batch)
                    self.stdout.write("Dry run: nothing was written.")
                    return
            batch = import_commit(
                organisation=organisation,
                actor=actor,
                batch=preview.batch,
                confirm_duplicate_file=options["confirm_duplicate"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {batch.rows_created} entries (batch {batch.pk})."
            )
        )


def _discard_files(batch: ImportBatch) -> None:
    """Delete the files of a batch that is not kept."""
    for name in batch.files():
        default_storage.delete(name)
