"""The auditor workbook and the CSV export: rows, totals, safe text, access."""

import csv
import hashlib
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import BusinessUnit
from carbonledger.lib.spreadsheets import csv_value as neutralise
from emissions.exporting import ENTRY_COLUMNS, ENTRY_LABELS, entries_csv
from emissions.models import ContractualInstrument, ReportingYear
from reports.downloads import inventory_download
from reports.kinds.inventory_workbook import inventory_workbook
from reports.selectors import inventory_for_year

from .entries_support import load_heating_figures, load_reference, make_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(db):
    return load_reference()


@pytest.fixture
def equity_org(org, unit, admin, editor, catalogue):
    """OSL (NO, 100 %) and STO (SE, 50 %) under the equity-share approach."""
    org.consolidation_approach = "equity"
    org.save()
    sto = BusinessUnit.objects.create(
        organisation=org, code="STO", name="Stockholm", country="SE", equity_share=50
    )
    load_heating_figures(org)
    make_entry(org=org, actor=editor, unit=unit, catalogue=catalogue, quantity="10000")
    make_entry(org=org, actor=editor, unit=sto, catalogue=catalogue, quantity="2000")
    make_entry(
        org=org,
        actor=editor,
        unit=sto,
        catalogue={"electricity": catalogue["district_heating"]},
        quantity="1000",
    )
    make_entry(
        org=org,
        actor=editor,
        unit=unit,
        catalogue=catalogue,
        quantity="500",
        year=2023,
        comment='=HYPERLINK("http://evil.example","click")',
        source_reference="-2+3",
    )
    ContractualInstrument.objects.create(
        organisation=org,
        business_unit=unit,
        reporting_year=ReportingYear.objects.get(organisation=org, year=2024),
        kind="go",
        mwh=Decimal("4"),
        kg_co2e_per_kwh=Decimal("0"),
        created_by=admin,
        updated_by=admin,
    )
    return org


def _sheet_rows(payload: bytes, name: str) -> list[list]:
    workbook = load_workbook(io.BytesIO(payload))
    return [list(row) for row in workbook[name].iter_rows(values_only=True)]


def test_the_workbook_has_one_row_per_entry_with_its_factor(equity_org):
    rows = _sheet_rows(inventory_workbook(organisation=equity_org), "Entries")
    assert rows[0] == [str(ENTRY_LABELS[name]) for name in ENTRY_COLUMNS]
    assert rows[0][:3] == ["Entry", "Business unit", "Year"]
    assert len(rows) == 5
    first = dict(zip(ENTRY_COLUMNS, rows[1], strict=True))
    assert first["business_unit"] == "OSL"
    assert first["year"] == 2023
    assert first["activity"] == "electricity"
    assert first["quantity"] == 500
    assert first["factor_key"] == "grid_location|NO"
    # NO 2023: 15 g CO2e/kWh (NVE).
    assert Decimal(str(first["factor_value_kg_per_unit"])) == Decimal("0.015")
    assert Decimal(str(first["kg_co2e"])) == Decimal("7.5")
    assert first["last_changed_by"] == "editor@acme.example"
    years = [row[2] for row in rows[1:]]
    assert years == [2023, 2024, 2024, 2024]


def test_summary_totals_equal_the_dashboards_with_equity_share_and_instruments(
    equity_org,
):
    payload = inventory_workbook(organisation=equity_org, year=2024)
    by_scope = _sheet_rows(payload, "By scope")
    assert by_scope[0][:5] == [
        "Year",
        "Scope 1, t CO2e",
        "Scope 2 location-based, t CO2e",
        "Scope 2 market-based, t CO2e",
        "Scope 3, t CO2e",
    ]
    assert len(by_scope) == 2
    year, s1, s2_location, s2_market, s3, total_location, total_market = by_scope[1]
    inventory = inventory_for_year(organisation=equity_org, year=2024)
    # Location: OSL 10 000 kWh x 0.0119 = 119 kg; STO at 50 %: (2 000 x 0.006 +
    # 1 000 kWh heat x 0.047) x 0.5 = 29.5 kg.
    assert Decimal(str(s2_location)) == Decimal("0.1485")
    # Market: OSL 4 MWh of guarantees of origin at 0, 6 000 kWh at NVE's
    # residual mix 0.402 = 2 412 kg; STO (2 000 x 0.08552 AIB + 1 000 x 0.047)
    # x 0.5 = 109.02 kg.
    assert Decimal(str(s2_market)) == Decimal("2.52102")
    assert year == 2024
    assert Decimal(str(s2_location)) == inventory.scope2_location_t_co2e
    assert Decimal(str(s2_market)) == inventory.scope2_market_t_co2e
    assert Decimal(str(s1)) == inventory.scope1_t_co2e == 0
    assert Decimal(str(s3)) == inventory.scope3_t_co2e == 0
    assert Decimal(str(total_location)) == Decimal("0.1485")
    assert Decimal(str(total_market)) == Decimal("2.52102")
    by_unit = _sheet_rows(payload, "By business unit")
    assert [(row[0], row[2], Decimal(str(row[4]))) for row in by_unit[1:]] == [
        ("OSL", 2024, Decimal("0.119")),
        ("STO", 2024, Decimal("0.0295")),
    ]
    assert sum(Decimal(str(row[4])) for row in by_unit[1:]) == Decimal(str(s2_location))


def test_text_that_looks_like_a_formula_stays_text(equity_org):
    payload = inventory_workbook(organisation=equity_org)
    workbook = load_workbook(io.BytesIO(payload))
    sheet = workbook["Entries"]
    comment = sheet.cell(row=2, column=ENTRY_COLUMNS.index("comment") + 1)
    assert comment.data_type == "s"
    assert comment.value == '=HYPERLINK("http://evil.example","click")'
    text = entries_csv(organisation=equity_org).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    first = dict(zip(ENTRY_COLUMNS, rows[1], strict=True))
    assert first["comment"] == '\'=HYPERLINK("http://evil.example","click")'
    assert first["source_reference"] == "'-2+3"
    assert Decimal(first["quantity"]) == Decimal("500")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+47 22 00 00 00", "'+47 22 00 00 00"),
        ("-5 kWh", "'-5 kWh"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("Oslo", "Oslo"),
        (Decimal("-5.5"), "-5.5"),
        (-3, "-3"),
        (None, ""),
    ],
)
def test_csv_neutralises_text_but_not_numbers(value, expected):
    assert neutralise(value) == expected


@pytest.mark.parametrize(
    ("who", "status"),
    [("viewer", 200), ("auditor", 200), ("editor", 200), ("outsider", 404)],
)
def test_export_access(
    client_for, equity_org, viewer, auditor, editor, outsider, who, status
):
    user = {
        "viewer": viewer,
        "auditor": auditor,
        "editor": editor,
        "outsider": outsider,
    }[who]
    for fmt in ("xlsx", "csv"):
        response = client_for(user).get(
            reverse("inventory_export", args=[equity_org.slug, fmt]), {"year": "2024"}
        )
        assert response.status_code == status, (who, fmt)
        if status == 200:
            assert response["Content-Disposition"].endswith(f'-2024.{fmt}"')


def test_anonymous_visitors_are_sent_to_log_in(client, equity_org):
    response = client.get(reverse("inventory_export", args=[equity_org.slug, "xlsx"]))
    assert response.status_code == 302
    assert "/login" in response["Location"]


def _row_from_the_models(entry) -> list:
    """An export row read through the models, one attribute at a time."""
    gases = entry.kg_by_gas or {}
    main = ("CO2", "CH4", "N2O")
    live = entry.evidence.filter(removed_at__isnull=True).count()
    factor_set = entry.factor_set
    return [
        entry.pk,
        entry.business_unit.code,
        entry.reporting_year.year,
        entry.period_start,
        entry.period_end,
        entry.activity_type.code,
        entry.activity_type.name,
        entry.scope,
        entry.scope3_category,
        entry.iso_category,
        entry.quantity,
        entry.unit,
        entry.converted_quantity,
        entry.factor_unit,
        factor_set.publisher if factor_set else "",
        factor_set.name if factor_set else "",
        factor_set.edition_year if factor_set else None,
        entry.factor_key,
        entry.factor_value,
        entry.factor_note,
        entry.gwp_set,
        entry.kg_co2e,
        *(Decimal(str(gases[g])) if g in gases else None for g in main),
        sum((Decimal(str(v)) for k, v in gases.items() if k not in main), Decimal(0))
        if gases
        else None,
        entry.kg_co2e_market,
        entry.data_quality,
        live,
        entry.comment,
        entry.source_reference,
        entry.updated_by.email,
        entry.updated_at.replace(tzinfo=None),
        entry.import_batch_id,
    ]


def test_every_column_of_every_row_is_the_entrys(equity_org, editor, catalogue):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from emissions.models import ActivityEntry
    from emissions.services.evidence import (
        evidence_attach,
        evidence_remove,
        evidence_upload,
    )

    osl = equity_org.business_units.get(code="OSL")
    leak = make_entry(
        org=equity_org,
        actor=editor,
        unit=osl,
        catalogue={"electricity": catalogue["refrigerant_r410a"]},
        quantity="2.5",
        unit_code="kg",
    )
    entries = list(ActivityEntry.objects.order_by("pk"))
    documents = [
        evidence_upload(
            organisation=equity_org,
            actor=editor,
            uploaded_file=SimpleUploadedFile(
                f"invoice-{n}.pdf", b"%PDF-1.4\n%" + bytes([48 + n]) + b"\n%%EOF\n"
            ),
            kind="invoice",
        )
        for n in range(3)
    ]
    for document in documents:
        evidence_attach(
            organisation=equity_org, actor=editor, document=document, target=leak
        )
    evidence_attach(
        organisation=equity_org, actor=editor, document=documents[0], target=entries[1]
    )
    evidence_remove(
        organisation=equity_org, actor=editor, document=documents[2], reason="Wrong"
    )
    text = entries_csv(organisation=equity_org).decode("utf-8-sig")
    exported = {row[0]: row for row in list(csv.reader(io.StringIO(text)))[1:]}
    rows = _sheet_rows(inventory_workbook(organisation=equity_org), "Entries")[1:]
    assert len(exported) == len(rows) == 5
    for entry in ActivityEntry.objects.all():
        expected = _row_from_the_models(entry)
        assert exported[str(entry.pk)] == [neutralise(value) for value in expected]
    by_pk = {row[0]: row for row in rows}
    leak_row = dict(zip(ENTRY_COLUMNS, by_pk[leak.pk], strict=True))
    # 2.5 kg of R-410A at its AR5 GWP of 1 923.5: no factor set, all of it
    # another gas than CO2, CH4 and N2O; two documents still attached.
    assert (leak_row["factor_set"], leak_row["evidence_count"]) == (None, 2)
    assert Decimal(str(leak_row["kg_other_gases"])) == Decimal("4808.75")
    assert Decimal(str(leak_row["kg_co2e"])) == Decimal("4808.75")
    assert (
        dict(zip(ENTRY_COLUMNS, by_pk[entries[1].pk], strict=True))["evidence_count"]
        == 1
    )


def test_a_large_workbook_is_built_in_the_background_and_kept(
    client_for, equity_org, auditor, settings, django_capture_on_commit_callbacks
):
    from reports.models import GeneratedReport

    settings.INVENTORY_DIRECT_ENTRIES = 3
    client = client_for(auditor)
    url = reverse("inventory_export", args=[equity_org.slug, "xlsx"])
    # 2024 has three entries: still sent at once.
    direct = client.get(url, {"year": "2024"})
    assert direct.status_code == 200
    assert len(_sheet_rows(direct.content, "Entries")) == 4
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("report_list", args=[equity_org.slug])
    report = GeneratedReport.objects.get()
    assert (report.kind, report.year, report.status) == ("inventory_xlsx", None, "done")
    # 2023 and 2024 are open: the figures are a draft.
    assert (report.requested_by, report.year_status) == (auditor, "open")
    page = client.get(response["Location"]).content.decode()
    assert "The workbook of 4 entries is being built" in page
    assert "every year" in page
    download = client.get(reverse("report_download", args=[equity_org.slug, report.pk]))
    assert download["Content-Disposition"].endswith(
        '-inventory_xlsx-all-years-en.xlsx"'
    )
    payload = b"".join(download.streaming_content)
    assert hashlib.sha256(payload).hexdigest() == report.sha256
    assert [row[2] for row in _sheet_rows(payload, "Entries")[1:]] == [
        2023,
        2024,
        2024,
        2024,
    ]


def test_the_download_service_leaves_a_large_workbook_to_the_task_queue(
    equity_org, settings
):
    settings.INVENTORY_DIRECT_ENTRIES = 3
    year = inventory_download(organisation=equity_org, fmt="xlsx", year=2024)
    assert (year.name, year.entry_count) == ("acme-inventory-2024.xlsx", 3)
    assert len(_sheet_rows(year.payload, "Entries")) == 4
    every = inventory_download(organisation=equity_org, fmt="xlsx")
    assert (every.name, every.entry_count, every.payload) == (
        "acme-inventory-all-years.xlsx",
        4,
        None,
    )
    # Entries as CSV are always sent at once.
    rows = inventory_download(organisation=equity_org, fmt="csv")
    assert (rows.name, rows.content_type) == ("acme-entries-all-years.csv", "text/csv")
    assert len(rows.payload.decode("utf-8-sig").splitlines()) == 5


def test_only_the_full_inventory_covers_every_year(equity_org, viewer):
    from django.core.exceptions import ValidationError

    from reports.services import report_request

    for kind in ("pdf", "xlsx", "eco_lighthouse"):
        with pytest.raises(ValidationError) as caught:
            report_request(organisation=equity_org, actor=viewer, kind=kind, year=None)
        assert caught.value.message_dict == {
            "year": [
                "Every year together is available for the full inventory for "
                "auditors only; choose a year."
            ]
        }


@pytest.mark.django_db(transaction=True)
def test_without_a_task_worker_the_large_workbook_is_ready_at_once(
    client_for, equity_org, auditor, settings
):
    from reports.models import GeneratedReport

    settings.INVENTORY_DIRECT_ENTRIES = 3
    client = client_for(auditor)
    response = client.get(
        reverse("inventory_export", args=[equity_org.slug, "xlsx"]), follow=True
    )
    assert "The workbook of 4 entries is ready to download." in (
        response.content.decode()
    )
    assert GeneratedReport.objects.get().status == "done"
