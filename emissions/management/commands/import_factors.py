from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation
from emissions.factor_files import FactorFileError
from emissions.models import FactorSetKind
from emissions.services.factors import factor_set_import, parse_factor_file

PUBLISHERS = (FactorSetKind.DESNZ, FactorSetKind.EPA, FactorSetKind.GENERIC)


class Command(BaseCommand):
    help = (
        "Import a factor table (DESNZ flat file, EPA Emission Factors Hub or the "
        "generic CSV/XLSX layout) as one factor set, all or nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="The .xls, .xlsx or .csv file.")
        parser.add_argument("--publisher", required=True, choices=PUBLISHERS)
        parser.add_argument(
            "--year",
            type=int,
            help="Edition year: checked for DESNZ/EPA, required for generic files "
            "that give no valid_year.",
        )
        parser.add_argument(
            "--org",
            metavar="SLUG",
            help="Import as the organisation's own set (default: a global set).",
        )
        parser.add_argument("--name", default="", help="Set name (generic files).")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        organisation = None
        if options["org"]:
            organisation = Organisation.objects.filter(slug=options["org"]).first()
            if organisation is None:
                raise CommandError(f"No organisation with the slug {options['org']!r}.")
        try:
            parsed = parse_factor_file(
                path,
                publisher=options["publisher"],
                year=options["year"],
                name=options["name"] or path.stem,
            )
            factor_set, created = factor_set_import(
                parsed=parsed,
                kind=options["publisher"],
                organisation=organisation,
                file_name=path.name,
            )
        except FactorFileError as exc:
            raise CommandError(f"{path.name}: {exc}") from None
        except ValidationError as exc:
            raise CommandError(f"{path.name}: {' '.join(exc.messages)}") from None
        for warning in parsed.warnings:
            self.stderr.write(f"warning: {warning}")
        owner = organisation.slug if organisation else "global"
        if created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Imported {factor_set.factors.count()} factors as "
                    f"'{factor_set.name}' ({factor_set.edition_year}, {owner})."
                )
            )
        else:
            self.stdout.write(
                f"Already imported: '{factor_set.name}' ({factor_set.edition_year}, "
                f"{owner}); nothing changed."
            )
