"""Certificate ids of guarantees of origin as ranges that can be compared.

An EECS guarantee of origin is cancelled as one id or as a range of ids that
share everything but a trailing number ("NO-643002406000000101" to
"NO-643002406000000200"). A range is read as its prefix (the text before the
trailing digits) and the first and last number; two claims are the same
certificate when their prefixes are equal and their numbers overlap. An id
without trailing digits (a cancellation statement's reference) is compared
whole. Pure functions, no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

__all__ = ["CertificateRange", "CertificateRangeError", "certificate_range"]

_ID = re.compile(r"^(?P<prefix>.*?)(?P<number>\d+)$")


class CertificateRangeError(ValueError):
    """The first and last certificate ids do not make a range."""


@dataclass(frozen=True)
class CertificateRange:
    prefix: str
    first: Decimal | None  # None: an id without a number, compared whole
    last: Decimal | None

    def overlaps(self, other: CertificateRange) -> bool:
        if self.prefix != other.prefix:
            return False
        if self.first is None or other.first is None:
            return self.first is None and other.first is None
        assert self.last is not None and other.last is not None
        return self.first <= other.last and other.first <= self.last

    @property
    def count(self) -> int:
        if self.first is None or self.last is None:
            return 1
        return int(self.last - self.first) + 1


def _normal(text: str) -> str:
    return "".join(str(text or "").split()).upper()


def certificate_range(first: str, last: str = "") -> CertificateRange | None:
    """Return the range of a claim, None when no id is given.

    Raise CertificateRangeError when the last id is given without a first,
    or when the two ids differ in more than their trailing number, or the
    last number is below the first.
    """
    first, last = _normal(first), _normal(last)
    if not first:
        if last:
            raise CertificateRangeError("a last id needs a first id")
        return None
    start = _ID.match(first)
    if not last or last == first:
        if start is None:
            return CertificateRange(first, None, None)
        number = Decimal(start.group("number"))
        return CertificateRange(start.group("prefix"), number, number)
    end = _ID.match(last)
    if start is None or end is None or start.group("prefix") != end.group("prefix"):
        raise CertificateRangeError(
            "the first and last ids must differ only in their trailing number"
        )
    low, high = Decimal(start.group("number")), Decimal(end.group("number"))
    if high < low:
        raise CertificateRangeError("the last id comes before the first")
    return CertificateRange(start.group("prefix"), low, high)
