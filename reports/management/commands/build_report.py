from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation
from carbonledger.lib.files import write_atomically
from reports.models import ReportKind
from reports.services import LANGUAGES, build_report_bytes


class Command(BaseCommand):
    help = "Build the annual carbon report (PDF) of an organisation and year."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--org", required=True, help="Organisation slug.")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--lang", default=None, choices=LANGUAGES)
        parser.add_argument("--unit", default=None, help="Business unit code.")
        parser.add_argument("--kind", default=ReportKind.PDF, choices=ReportKind.values)
        parser.add_argument("-o", "--output", required=True, help="File to write.")

    def handle(self, *args, **options) -> None:
        organisation = Organisation.objects.filter(slug=options["org"]).first()
        if organisation is None:
            raise CommandError(f"No organisation with the slug {options['org']!r}.")
        unit = None
        if options["unit"]:
            unit = organisation.business_units.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"No business unit {options['unit']!r}.")
        if not organisation.entries.filter(
            reporting_year__year=options["year"]
        ).exists():
            raise CommandError(f"No emissions recorded for {options['year']}.")
        try:
            payload = build_report_bytes(
                organisation=organisation,
                kind=options["kind"],
                year=options["year"],
                language=options["lang"] or organisation.language,
                business_unit=unit,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        write_atomically(Path(options["output"]), payload)
        self.stdout.write(
            self.style.SUCCESS(f"Wrote {options['output']} ({len(payload)} bytes).")
        )
