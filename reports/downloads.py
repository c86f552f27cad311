"""The inventory downloads: what is built in the request and what is not.

The entries CSV is always built at once. The inventory workbook of more than
INVENTORY_DIRECT_ENTRIES entries (about 4 s) is not: the answer then holds its
entry count and no file, and the workbook is asked for as a report, built by
the task queue and kept on the reports page with its checksum.
"""

from collections.abc import Collection
from dataclasses import dataclass

from django.conf import settings

from accounts.models import Organisation
from emissions.exporting import entries_csv, entries_of
from reports.kinds.base import XLSX
from reports.kinds.inventory_workbook import inventory_workbook


@dataclass(frozen=True)
class InventoryDownload:
    """A download of the inventory: its file, or none when it is too large."""

    name: str
    content_type: str
    payload: bytes | None = None  # None: too large to build in a request
    entry_count: int | None = None


def inventory_download(
    *,
    organisation: Organisation,
    fmt: str,
    year: int | None = None,
    unit_ids: Collection[int] | None = None,
) -> InventoryDownload:
    """Build the entries CSV or the inventory workbook (`fmt` csv or xlsx).

    The one place that decides what is built in the request: a workbook of
    more than INVENTORY_DIRECT_ENTRIES entries (about 4 s) is not; the answer
    then holds its entry count and no file, and the workbook is asked for as
    a report, built by the task queue and kept on the reports page.
    """
    suffix = year or "all-years"
    if fmt == "csv":
        return InventoryDownload(
            name=f"{organisation.slug}-entries-{suffix}.csv",
            content_type="text/csv",
            payload=entries_csv(
                organisation=organisation, year=year, unit_ids=unit_ids
            ),
        )
    name = f"{organisation.slug}-inventory-{suffix}.xlsx"
    count = entries_of(organisation, year, unit_ids).count()
    if count > settings.INVENTORY_DIRECT_ENTRIES:
        return InventoryDownload(name=name, content_type=XLSX, entry_count=count)
    return InventoryDownload(
        name=name,
        content_type=XLSX,
        payload=inventory_workbook(
            organisation=organisation, year=year, unit_ids=unit_ids
        ),
        entry_count=count,
    )
