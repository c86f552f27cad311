"""Reading a preview a page at a time."""

from decimal import Decimal

import pytest

from emissions.imports.preview import import_preview
from emissions.imports.selectors import import_batch_page
from tests.emissions.imports.support import (
    xlsx,
)

pytestmark = pytest.mark.django_db


def test_the_preview_page_lists_errors_first_then_rows_a_page_at_a_time(
    org, editor, unit, catalogue
):
    rows = [
        ["OSL", 2024, "electricity", 100 + i, "kWh", None, None, "", "", f"m-{i}"]
        for i in range(7)
    ]
    rows[4][3] = "lots"
    preview = import_preview(
        organisation=org, actor=editor, file_name="p.xlsx", data=xlsx(rows)
    )
    first = import_batch_page(organisation=org, batch=preview.batch, page=1, per_page=3)
    second = import_batch_page(
        organisation=org, batch=preview.batch, page=2, per_page=3
    )
    third = import_batch_page(organisation=org, batch=preview.batch, page=3, per_page=3)
    assert [row.number for row in first.rows] == [6, 2, 3]
    assert [row.number for row in second.rows] == [4, 5, 7]
    assert [row.number for row in third.rows] == [8]
    assert (first.row_count, first.error_count) == (7, 1)
    # 100+101+102+103+105+106 = 617 kWh at the NO 2024 grid factor 0.0119
    assert first.totals == {2: Decimal("7.3423000000")}
