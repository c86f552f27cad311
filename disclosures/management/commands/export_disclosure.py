from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Language, Organisation
from carbonledger.lib.files import write_atomically
from disclosures.exports import disclosure_file
from disclosures.formats import FORMATS
from disclosures.selectors import year_exists


class Command(BaseCommand):
    help = (
        "Export a year's disclosures (VSME B3/C3, ESRS E1-5/E1-6) as the filled "
        "VSME Digital Template or inline XBRL; an open year's file is a draft."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--org", required=True, help="Organisation slug.")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--format", required=True, choices=list(FORMATS))
        parser.add_argument("--lang", default=None, choices=Language.values)
        parser.add_argument("-o", "--output", required=True, help="File to write.")

    def handle(self, *args, **options) -> None:
        organisation = Organisation.objects.filter(slug=options["org"]).first()
        if organisation is None:
            raise CommandError(f"No organisation with the slug {options['org']!r}.")
        if not year_exists(organisation=organisation, year=options["year"]):
            raise CommandError(f"No reporting year {options['year']}.")
        try:
            exported = disclosure_file(
                organisation=organisation,
                year=options["year"],
                fmt=options["format"],
                language=options["lang"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        write_atomically(Path(options["output"]), exported.content)
        state = "final" if exported.final else "draft"
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {options['output']} ({len(exported.content)} bytes, {state})."
            )
        )
