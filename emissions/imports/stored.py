"""The files an import keeps beside its upload, and how they are read back.

Three files per batch, under `imports/<organisation>/<sha256>`: the upload
itself (kept for the commit and the audit), the prepared rows a valid preview
parsed (`Prepared`, read by the commit instead of the file) and the rows as
the preview's pages show them (`Shown`, read by the pages instead of checking
the file again). A missing, altered or older-format prepared or shown file is
never trusted: the reader falls back on the upload.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import itertools
import json
from collections.abc import Iterator
from decimal import Decimal
from functools import partial
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import Organisation
from carbonledger.lib.files import storage_delete, storage_save
from emissions.imports.rows import (
    Context,
    ImportPage,
    Kind,
    RowResult,
    Tally,
    calculate,
    check_kind_and_quantity,
)
from emissions.imports.values import cell_text
from emissions.models import ImportBatch

# The layout of the prepared rows a preview keeps (Prepared); a commit reads
# the uploaded file again when it finds another.
PREPARED_FORMAT = 1
# The layout of the rows a preview's pages show (Shown); pages check the file
# again when they find another.
SHOWN_FORMAT = 1
# The cells a preview's pages show of each row.
SHOWN_COLUMNS = ("business_unit", "year", "activity", "quantity", "unit")


class Prepared:
    """What a valid preview parsed from each row, kept for the commit.

    The commit then need not read the file again. The first line (JSON) holds
    the kinds of row (business unit code, year, activity and unit as parsed);
    each further line (CSV) a row's number, the index of its kind and the
    values parsed from its other cells: period, quantity, data quality,
    comment and source reference. Nothing that depends on the organisation is
    kept: the commit resolves every kind again and calculates every row again,
    with the organisation as it is then.
    """

    def __init__(self) -> None:
        self.kinds: list[list] = []
        self.rows = io.StringIO()
        self.writer = csv.writer(self.rows, lineterminator="\n")

    def add(
        self,
        number: int,
        kind: Kind,
        start: datetime.date | None,
        end: datetime.date | None,
        quantity: Decimal,
        quality: str,
        comment: str,
        source_reference: str,
    ) -> None:
        if kind.index is None:
            kind.index = len(self.kinds)
            self.kinds.append(
                [kind.code, kind.year, kind.activity_code, kind.unit_code]
            )
        self.writer.writerow(
            (
                number,
                kind.index,
                start.isoformat() if start else "",
                end.isoformat() if end else "",
                quantity,
                quality,
                comment,
                source_reference,
            )
        )

    def content(self, sha256: str) -> bytes:
        header = json.dumps(
            {"format": PREPARED_FORMAT, "sha256": sha256, "kinds": self.kinds},
            ensure_ascii=False,
        )
        return f"{header}\n{self.rows.getvalue()}".encode()


class Shown:
    """Every row of a preview as its pages show it, kept beside the upload.

    Pages then need not check the whole file again for every page looked at.
    The first line (JSON) holds the counts, the totals by scope and the
    language of the messages; each further line (CSV) a row's number, the text
    of its shown cells, its quantity, scope and kg CO2e as checked and its
    errors (JSON), the rows with errors first, as the pages order them. The
    commit does not read this: it checks every row again.
    """

    def __init__(self) -> None:
        self.failed = io.StringIO()
        self.valid = io.StringIO()
        self._failed = csv.writer(self.failed, lineterminator="\n")
        self._valid = csv.writer(self.valid, lineterminator="\n")

    def add(self, row: RowResult) -> None:
        values = row.values
        cells = [cell_text(values.get(name)) for name in SHOWN_COLUMNS]
        figures = (
            "" if row.quantity is None else row.quantity,
            "" if row.scope is None else row.scope,
            "" if row.kg_co2e is None else row.kg_co2e,
        )
        if row.errors:
            errors = json.dumps(row.errors, ensure_ascii=False)
            self._failed.writerow((row.number, *cells, *figures, errors))
        else:
            self._valid.writerow((row.number, *cells, *figures, ""))

    def content(self, sha256: str, tally: Tally) -> bytes:
        header = json.dumps(
            {
                "format": SHOWN_FORMAT,
                "sha256": sha256,
                "language": get_language(),
                "rows": tally.row_count,
                "errors": len(tally.error_rows),
                "totals": {scope: str(kg) for scope, kg in tally.totals.items()},
            }
        )
        body = self.failed.getvalue() + self.valid.getvalue()
        return f"{header}\n{body}".encode()


def shown_page(batch: ImportBatch, start: int, end: int) -> ImportPage | None:
    """Return rows start to end of a preview as it was checked, from its shown
    rows; None without them, or when they are in another language or layout."""
    if not batch.shown_file:
        return None
    try:
        with default_storage.open(batch.shown_file, "rb") as handle:
            text = handle.read().decode()
        header_end = text.index("\n")
        header = json.loads(text[:header_end])
        if (
            header.get("format") != SHOWN_FORMAT
            or header.get("sha256") != batch.sha256
            or header.get("language") != get_language()
        ):
            return None
        lines = csv.reader(io.StringIO(text[header_end + 1 :]))
        rows = []
        for line in itertools.islice(lines, start, end):
            number, *cells, quantity, scope, kg, errors = line
            rows.append(
                RowResult(
                    number=int(number),
                    values=dict(zip(SHOWN_COLUMNS, cells, strict=True)),
                    errors=[tuple(error) for error in json.loads(errors or "[]")],
                    quantity=Decimal(quantity) if quantity else None,
                    scope=int(scope) if scope else None,
                    kg_co2e=Decimal(kg) if kg else None,
                )
            )
        return ImportPage(
            rows=rows,
            row_count=header["rows"],
            error_count=header["errors"],
            totals={
                int(scope): Decimal(kg)
                for scope, kg in sorted(
                    header["totals"].items(), key=lambda i: int(i[0])
                )
            },
        )
    except (OSError, ValueError, KeyError, TypeError, ArithmeticError, csv.Error):
        return None


def prepared_rows(context: Context, batch: ImportBatch) -> Iterator[RowResult] | None:
    """Return the rows of a batch's prepared file, checked again; None without one.

    A missing, altered or older-format file gives None: the commit then reads
    the uploaded file again, as it would without it.
    """
    if not batch.prepared_file:
        return None
    try:
        with default_storage.open(batch.prepared_file, "rb") as handle:
            data = handle.read()
    except (OSError, ValueError):
        return None
    if hashlib.sha256(data).hexdigest() != batch.prepared_sha256:
        return None
    text = data.decode()
    del data
    header_end = text.find("\n")
    try:
        header = json.loads(text[:header_end])
    except ValueError:
        return None
    if header.get("format") != PREPARED_FORMAT or header.get("sha256") != batch.sha256:
        return None
    kinds = [
        context.resolved(code, year, None, activity_code, unit_code)
        for code, year, activity_code, unit_code in header["kinds"]
    ]
    rows = csv.reader(io.StringIO(text[header_end + 1 :]))
    return _rows_from_prepared(context, kinds, rows)


def _rows_from_prepared(
    context: Context, kinds: list[Kind], rows: Iterator[list[str]]
) -> Iterator[RowResult]:
    parse_quantity = context.parse_quantity
    fromisoformat = datetime.date.fromisoformat

    def quantity_of(text: str) -> Decimal:
        return parse_quantity(Decimal(text))

    for number, kind_index, start, end, quantity, quality, comment, reference in rows:
        kind = kinds[int(kind_index)]
        row = RowResult(number=int(number), values={})
        quantity = check_kind_and_quantity(row, kind, quantity_of, quantity)
        if not row.errors:
            calculate(
                context,
                row,
                kind,
                quantity,
                fromisoformat(start) if start else None,
                fromisoformat(end) if end else None,
                quality,
                comment,
                reference,
            )
        yield row


def read_stored(batch: ImportBatch) -> bytes:
    try:
        with default_storage.open(batch.stored_file, "rb") as handle:
            return handle.read()
    except (OSError, ValueError):
        raise ValidationError(
            _("The uploaded file of this import is no longer available.")
        ) from None


def store_upload(
    organisation: Organisation, sha256: str, file_name: str, data: bytes
) -> str:
    suffix = PurePath(file_name).suffix.lower()[:6]
    return storage_save(
        f"imports/{organisation.pk}/{sha256}{suffix}", ContentFile(data)
    )


def delete_on_commit(names: list[str]) -> None:
    """Delete stored files once the transaction that stops using them commits."""
    for name in names:
        transaction.on_commit(partial(storage_delete, name))
