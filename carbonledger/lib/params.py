"""Read numbers from query parameters and addresses without trusting them.

`str.isdigit()` is true for "²" (which `int()` refuses) and for other
scripts' digits, and a number longer than the database's integers ends in a
server error on SQLite. Pages ignore a filter that is not a plain number in
range, as if it were absent; the API refuses it with 400 (its filters read
numbers through `parse_int` too, see api/filters.py).
"""

import re

# The largest value of a 64-bit signed integer column (ids, years, counts).
MAX_ID = 2**63 - 1
# The reporting years the product accepts anywhere.
YEAR_MIN, YEAR_MAX = 1990, 2100
_ASCII_NUMBER = re.compile(r"[0-9]{1,19}")


def parse_int(value: object, *, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """Return value as an integer if it is plain ASCII digits within range."""
    if not isinstance(value, str) or not _ASCII_NUMBER.fullmatch(value):
        return None
    number = int(value)
    return number if minimum <= number <= maximum else None


def parse_year(value: object) -> int | None:
    """Return value as a reporting year (1990-2100), or None."""
    return parse_int(value, minimum=YEAR_MIN, maximum=YEAR_MAX)
