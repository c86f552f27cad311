"""Reads of the guarantee-of-origin register: which claims overlap which.

A claim is stored as its certificate prefix and its first and last number,
zero-padded to 40 digits (``certificate_from``, ``certificate_to``; both empty
for an id without a trailing number, compared whole). Two claims overlap when
their prefixes are equal and ``from <= other.to and to >= other.from``: with
empty numbers that holds only between two whole ids, so one condition serves
ranges and cancellation ids alike. The service refuses a new overlapping
claim with these reads; the quality criteria use them to find claims recorded
before the register refused them.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from emissions.certificates import CertificateRange
from emissions.models import ContractualInstrument

__all__ = [
    "claims_overlapping",
    "padded",
    "with_overlapping_claims",
]


def padded(number: Decimal | None) -> str:
    """Return a certificate number as 40 digits (empty for a whole id)."""
    return "" if number is None else f"{number:f}".zfill(40)


def claims_overlapping(
    claimed: CertificateRange, *, exclude_pk: int | None = None
) -> QuerySet[ContractualInstrument]:
    """Return the instruments on the installation that claim any of the range."""
    earlier = ContractualInstrument.objects.filter(
        certificate_prefix=claimed.prefix,
        certificate_from__lte=padded(claimed.last),
        certificate_to__gte=padded(claimed.first),
    ).exclude(certificate_first="")
    if exclude_pk is not None:
        earlier = earlier.exclude(pk=exclude_pk)
    return earlier


def _overlapping_outer() -> QuerySet[ContractualInstrument]:
    return (
        ContractualInstrument.objects.filter(
            certificate_prefix=OuterRef("certificate_prefix"),
            certificate_from__lte=OuterRef("certificate_to"),
            certificate_to__gte=OuterRef("certificate_from"),
        )
        .exclude(certificate_first="")
        .exclude(pk=OuterRef("pk"))
    )


def with_overlapping_claims(
    queryset: QuerySet[ContractualInstrument],
) -> QuerySet[ContractualInstrument]:
    """Annotate each instrument with the other claims of its certificates.

    ``own_overlap_id``: the first instrument of the same organisation claiming
    any of them; ``foreign_overlap``: whether another organisation does. An
    instrument without certificate ids gets None and False.
    """
    # An instrument without ids has an empty prefix and empty numbers, which
    # no claim's numbers lie between.
    others = _overlapping_outer()
    return queryset.annotate(
        own_overlap_id=Subquery(
            others.filter(organisation=OuterRef("organisation"))
            .order_by("pk")
            .values("pk")[:1]
        ),
        foreign_overlap=Exists(others.exclude(organisation=OuterRef("organisation"))),
    )
