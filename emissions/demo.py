"""Demo activity data for the two demo organisations, 2019 to 2025 (idempotent).

Quantities are invented but plausible for a Nordic software group and a
Norwegian call centre; every figure is computed by the real services with the
shipped factors, and evidence files are generated as small real PDFs.

No Nordic district-heating figure could be checked against a publication, so
none is shipped: each demo organisation loads its own grid-factor file of
district-heating figures, invented for the demo and marked unverified. Years
that use them, or a shipped factor marked unverified, are approved with the
confirmation the year's history records.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from accounts.models import Organisation, User
from emissions.factor_files import ParsedFactorFile
from emissions.factor_files.grid import GRID_COLUMNS, parse_grid_rows
from emissions.models import ActivityEntry, ActivityType, EvidenceKind, FactorSetKind
from emissions.resolution import ResolutionCache
from emissions.services import records
from emissions.services.entries import entry_create
from emissions.services.evidence import evidence_add
from emissions.services.factors import factor_set_import
from emissions.services.findings import finding_create
from emissions.services.years import year_approve, year_submit

FIRST_YEAR = 2019
LAST_YEAR = 2025
OPEN_YEAR = 2025
DEMO_REF = "demo:"
# Called with an organisation (and admin=, editor=) before its years close.
BeforeClosing = Callable[..., None]

# Yearly multipliers: energy efficiency, and travel with the 2020-2021 dip.
ENERGY = {
    2019: "1",
    2020: "0.95",
    2021: "0.93",
    2022: "0.9",
    2023: "0.86",
    2024: "0.83",
    2025: "0.8",
}
TRAVEL = {
    2019: "1",
    2020: "0.35",
    2021: "0.45",
    2022: "0.8",
    2023: "0.82",
    2024: "0.78",
    2025: "0.74",
}
FLEET = {
    2019: "1",
    2020: "0.9",
    2021: "0.8",
    2022: "0.65",
    2023: "0.5",
    2024: "0.4",
    2025: "0.3",
}


@dataclass(frozen=True)
class Line:
    activity: str
    per_fte: str  # yearly quantity per FTE in the base year
    unit: str
    trend: dict[int, str]
    quality: str = "measured"
    first_year: int = FIRST_YEAR


OFFICE = [
    Line("electricity", "2600", "kWh", ENERGY),
    Line("flight_short_haul_economy", "5200", "passenger_km", TRAVEL, "calculated"),
    Line("flight_long_haul_economy", "2400", "passenger_km", TRAVEL, "calculated"),
    Line("rail_national", "700", "passenger_km", TRAVEL, "calculated"),
    Line("taxi", "120", "passenger_km", TRAVEL, "spend_based"),
    Line("hotel_night_uk", "1.5", "room_night", TRAVEL, "calculated"),
    Line("waste_incineration_mixed", "0.06", "tonne", ENERGY, "estimated"),
    Line("waste_recycling_paper", "0.025", "tonne", ENERGY, "measured"),
    Line("waste_composting_food", "0.02", "tonne", ENERGY, "estimated"),
    Line("commute_car", "1800", "km", ENERGY, "estimated"),
    Line("commute_rail", "1500", "passenger_km", ENERGY, "estimated"),
    Line("commute_bus", "600", "passenger_km", ENERGY, "estimated"),
    Line("home_working", "300", "fte_hour", TRAVEL, "estimated", first_year=2024),
    Line("purchased_paper", "0.004", "tonne", ENERGY, "calculated"),
]
HEATED = [Line("district_heating", "1700", "kWh", ENERGY)]

NORDSOFT_UNITS = {
    # code: (FTE in 2019, district heating, extra lines)
    "NO-OSL": (
        120,
        True,
        [
            Line("diesel_vehicles", "25", "litre", FLEET),
            Line("server_energy", "650", "kWh", ENERGY),
        ],
    ),
    "SE-STO": (80, True, [Line("petrol_vehicles", "12", "litre", FLEET)]),
    "DK-CPH": (40, True, []),
    "FI-HEL": (50, True, []),
    "EE-TLL": (30, False, [Line("natural_gas", "1500", "kWh_gross", ENERGY)]),
    "DE-BER": (
        60,
        False,
        [
            Line("natural_gas", "1800", "kWh_gross", ENERGY),
            Line("diesel_vehicles", "30", "litre", FLEET),
        ],
    ),
}
FJORD_UNITS = {
    "BGO": (250, True, [Line("diesel_vehicles", "4", "litre", FLEET)]),
    "TRD": (150, True, []),
}
FJORD_LINES = [
    Line("electricity", "3100", "kWh", ENERGY),
    Line("flight_domestic_average", "900", "passenger_km", TRAVEL, "calculated"),
    Line("taxi", "40", "passenger_km", TRAVEL, "spend_based"),
    Line("hotel_night_uk", "0.3", "room_night", TRAVEL, "calculated"),
    Line("waste_incineration_mixed", "0.05", "tonne", ENERGY, "measured"),
    Line("waste_recycling_paper", "0.02", "tonne", ENERGY, "measured"),
    Line("waste_recycling_plastics", "0.004", "tonne", ENERGY, "measured"),
    Line("commute_car", "2600", "km", ENERGY, "estimated"),
    Line("commute_bus", "1400", "passenger_km", ENERGY, "estimated"),
    Line("commute_rail", "500", "passenger_km", ENERGY, "estimated"),
]

# Guarantees of origin: unit -> first year covered (the whole consumption).
NORDSOFT_GOS = {"SE-STO": 2021, "FI-HEL": 2021, "NO-OSL": 2023}
GROWTH = {
    2019: "1",
    2020: "1.02",
    2021: "1.05",
    2022: "1.1",
    2023: "1.12",
    2024: "1.15",
    2025: "1.18",
}


def _invoice_pdf(title: str, lines: list[tuple[str, str]]) -> bytes:
    from weasyprint import HTML

    rows = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in lines)
    html = (
        "<html><body style='font-family: sans-serif'>"
        f"<h1>{title}</h1><table>{rows}</table>"
        "<p>Demo document generated for the CarbonLedger demo.</p></body></html>"
    )
    return HTML(string=html).write_pdf()


def _q(value: str, fte: int, year: int, trend: dict[int, str]) -> Decimal:
    return (
        Decimal(value) * fte * Decimal(GROWTH[year]) * Decimal(trend[year])
    ).quantize(Decimal("0.01"))


def _seed_organisation(
    organisation: Organisation,
    *,
    units: dict,
    common: list[Line],
    editor: User,
    admin: User,
) -> list[ActivityEntry]:
    types = {t.code: t for t in ActivityType.objects.filter(organisation__isnull=True)}
    _load_demo_heating(organisation, admin=admin)
    cache = ResolutionCache()
    created: list[ActivityEntry] = []
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        for code, (fte, heated, extra) in units.items():
            unit = organisation.business_units.get(code=code)
            if not unit.active_in(year):
                continue
            lines = common + (HEATED if heated else []) + extra
            for line in lines:
                if year < line.first_year:
                    continue
                created.append(
                    entry_create(
                        organisation=organisation,
                        actor=editor,
                        business_unit=unit,
                        year=year,
                        activity_type=types[line.activity],
                        quantity=_q(line.per_fte, fte, year, line.trend),
                        unit=line.unit,
                        data_quality=line.quality,
                        source_reference=f"{DEMO_REF}{code}-{year}-{line.activity}",
                        cache=cache,
                    )
                )
            records.metric_set(
                organisation=organisation,
                actor=editor,
                business_unit=unit,
                year=year,
                kind="fte",
                value=(Decimal(fte) * Decimal(GROWTH[year])).quantize(Decimal("0.1")),
                unit="FTE",
            )
            records.metric_set(
                organisation=organisation,
                actor=editor,
                business_unit=unit,
                year=year,
                kind="floor_area",
                value=Decimal(fte * 14),
                unit="m²",
            )
            currency = {
                "SE": "MSEK",
                "DK": "MDKK",
                "FI": "MEUR",
                "EE": "MEUR",
                "DE": "MEUR",
            }.get(unit.country, "MNOK")
            per_fte = {"MNOK": "1.6", "MSEK": "1.7", "MDKK": "1.2", "MEUR": "0.16"}[
                currency
            ]
            records.metric_set(
                organisation=organisation,
                actor=editor,
                business_unit=unit,
                year=year,
                kind="revenue",
                unit=currency,
                value=(Decimal(per_fte) * fte * Decimal(GROWTH[year])).quantize(
                    Decimal("0.1")
                ),
            )
    return created


def _grid_kwh(organisation: Organisation, code: str, year: int) -> Decimal:
    entry = ActivityEntry.objects.get(
        organisation=organisation,
        source_reference=f"{DEMO_REF}{code}-{year}-electricity",
    )
    return entry.energy_kwh


def _close_years(organisation: Organisation, *, editor: User, admin: User) -> None:
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        if year == OPEN_YEAR:
            continue
        year_submit(organisation=organisation, actor=editor, year=year)
        year_approve(
            organisation=organisation,
            actor=admin,
            year=year,
            confirm_unverified=True,
        )


# Invented district-heating figures (g CO2e/kWh) for the demo's own file.
DEMO_HEATING = {"NO": "19", "SE": "58", "DK": "95", "FI": "160"}


def _load_demo_heating(organisation: Organisation, *, admin: User) -> None:
    """Load the organisation's own, unverified, district-heating figures."""
    countries = sorted(
        {u.country for u in organisation.business_units.all()} & set(DEMO_HEATING)
    )
    rows = [list(GRID_COLUMNS)] + [
        [
            country,
            str(FIRST_YEAR),
            "district_heating",
            DEMO_HEATING[country],
            "g/kWh",
            "CO2e",
            "Demo heating supplier's declaration",
            f"{FIRST_YEAR} (invented for the demo)",
            "p. 1",
            "",
            "unverified",
            "Invented for the demo; not a published figure.",
        ]
        for country in countries
    ]
    parsed = parse_grid_rows(rows, file_name="demo-heating.csv", default_check="")
    factor_set_import(
        parsed=ParsedFactorFile(
            publisher="Demo heating supplier",
            name="District heating, supplier's figures (demo)",
            edition_year=FIRST_YEAR,
            version="",
            region=", ".join(countries),
            source_url="",
            licence="",
            gwp_basis="",
            checksum_sha256=f"demo-heating-{organisation.pk}",
            rows=[row.factor for row in parsed],
        ),
        kind=FactorSetKind.GRID,
        organisation=organisation,
        actor=admin,
        file_name="demo-heating.csv",
    )


def seed_nordsoft(
    organisation: Organisation, *, before_closing: BeforeClosing | None = None
) -> None:
    editor = User.objects.get(email="editor@nordsoft.example")
    admin = User.objects.get(email="admin@nordsoft.example")
    finance = User.objects.get(email="finance@nordsoft.example")
    _seed_organisation(
        organisation, units=NORDSOFT_UNITS, common=OFFICE, editor=editor, admin=admin
    )
    for code, first in NORDSOFT_GOS.items():
        unit = organisation.business_units.get(code=code)
        for year in range(first, LAST_YEAR + 1):
            mwh = (_grid_kwh(organisation, code, year) / 1000).quantize(
                Decimal("0.001")
            )
            instrument = records.instrument_create(
                organisation=organisation,
                actor=editor,
                business_unit=unit,
                year=year,
                kind="go",
                mwh=mwh,
                kg_co2e_per_kwh=0,
                energy_source="Hydropower",
                supplier="Demo Kraft AS",
                certificate_ids=f"GO-{unit.country}-{year}-{code}-0001",
                scheme="EECS (demo registry)",
                certificate_first=f"GO-{unit.country}-{year}-{code}-0001",
                production_country="NO",
                technology="Hydropower",
                cancellation_date=datetime.date(year + 1, 3, 15),
                beneficiary=organisation.name,
            )
            if year == LAST_YEAR and code == "NO-OSL":
                evidence_add(
                    organisation=organisation,
                    actor=editor,
                    kind=EvidenceKind.CERTIFICATE,
                    target=instrument,
                    title=f"Guarantee of origin cancellation {year}",
                    uploaded_file=SimpleUploadedFile(
                        f"go-cancellation-{code}-{year}.pdf",
                        _invoice_pdf(
                            f"Guarantee of origin cancellation {year}",
                            [
                                ("Unit", code),
                                ("MWh", str(mwh)),
                                ("Source", "Hydropower"),
                            ],
                        ),
                        content_type="application/pdf",
                    ),
                )
    for code, year in (("NO-OSL", 2024), ("NO-OSL", 2025), ("SE-STO", 2025)):
        entry = ActivityEntry.objects.get(
            organisation=organisation,
            source_reference=f"{DEMO_REF}{code}-{year}-electricity",
        )
        evidence_add(
            organisation=organisation,
            actor=editor,
            kind=EvidenceKind.INVOICE,
            target=entry,
            title=f"Electricity invoice {code} {year}",
            uploaded_file=SimpleUploadedFile(
                f"electricity-invoice-{code}-{year}.pdf",
                _invoice_pdf(
                    f"Electricity invoice {year}",
                    [("Site", code), ("Consumption", f"{entry.quantity} kWh")],
                ),
                content_type="application/pdf",
            ),
        )
    records.target_create(
        organisation=organisation,
        actor=admin,
        name="Halve scope 1 and 2 by 2030",
        scopes="1+2",
        base_year=2019,
        target_year=2030,
        reduction_pct="50",
        net_zero_year=2045,
    )
    recalculation = records.recalculation_create(
        organisation=organisation,
        actor=admin,
        reason="structural",
        business_unit=organisation.business_units.get(code="EE-TLL"),
        description=(
            "Acquisition of Nordsoft Eesti (Tallinn) in 2021: its estimated 2019 "
            "emissions are added to the base year."
        ),
        effective_date=datetime.date(2021, 6, 30),
        scope1_t="8.1",
        scope2_location_t="51.2",
        scope2_market_t="61.9",
        scope3_t="36.4",
    )
    records.recalculation_approve(
        organisation=organisation, actor=finance, recalculation=recalculation
    )
    if before_closing is not None:
        before_closing(organisation, admin=admin, editor=editor)
    _close_years(organisation, editor=editor, admin=admin)
    auditor = User.objects.get(email="auditor@revisjon.example")
    entry = ActivityEntry.objects.get(
        organisation=organisation,
        source_reference=f"{DEMO_REF}DK-CPH-{OPEN_YEAR}-electricity",
    )
    finding_create(
        organisation=organisation,
        actor=auditor,
        entry=entry,
        text="No invoice attached for Copenhagen's electricity; please add the "
        "supplier's annual statement.",
    )


def seed_fjordkontakt(
    organisation: Organisation, *, before_closing: BeforeClosing | None = None
) -> None:
    editor = User.objects.get(email="editor@fjordkontakt.example")
    admin = User.objects.get(email="admin@fjordkontakt.example")
    _seed_organisation(
        organisation, units=FJORD_UNITS, common=FJORD_LINES, editor=editor, admin=admin
    )
    unit = organisation.business_units.get(code="BGO")
    for year in range(2022, LAST_YEAR + 1):
        records.instrument_create(
            organisation=organisation,
            actor=editor,
            business_unit=unit,
            year=year,
            kind="go",
            mwh=(_grid_kwh(organisation, "BGO", year) / 1000).quantize(
                Decimal("0.001")
            ),
            energy_source="Hydropower",
            supplier="Demo Kraft AS",
            certificate_ids=f"GO-NO-{year}-BGO-0001",
            scheme="EECS (demo registry)",
            certificate_first=f"GO-NO-{year}-BGO-0001",
            production_country="NO",
            technology="Hydropower",
            cancellation_date=datetime.date(year + 1, 3, 15),
            beneficiary=organisation.name,
        )
    credit = records.credit_create(
        organisation=organisation,
        actor=editor,
        year=2023,
        tonnes="138",
        standard="Gold Standard",
        project="Demo project: efficient cookstoves",
        vintage=2022,
        retirement_date=datetime.date(2024, 3, 15),
        registry="Gold Standard Impact Registry",
        serial_numbers="GS1-1-XX-DEMO-2022-000001 to GS1-1-XX-DEMO-2022-000138",
    )
    evidence_add(
        organisation=organisation,
        actor=editor,
        kind=EvidenceKind.CERTIFICATE,
        target=credit,
        title="Retirement certificate, 138 t",
        uploaded_file=SimpleUploadedFile(
            "retirement-certificate-2023.pdf",
            _invoice_pdf(
                "Retirement certificate", [("Tonnes", "138"), ("Vintage", "2022")]
            ),
            content_type="application/pdf",
        ),
    )
    records.target_create(
        organisation=organisation,
        actor=admin,
        name="Minus 40 % by 2030",
        scopes="1+2+3",
        base_year=2019,
        target_year=2030,
        reduction_pct="40",
        net_zero_year=2050,
    )
    if before_closing is not None:
        before_closing(organisation, admin=admin, editor=editor)
    _close_years(organisation, editor=editor, admin=admin)


@transaction.atomic
def seed_emissions(
    organisations: dict[str, Organisation],
    *,
    before_closing: BeforeClosing | None = None,
) -> None:
    """Create the demo activity data once per organisation.

    `before_closing(organisation, admin=..., editor=...)` is called when an
    organisation's data is in and its years are still open: the reports app
    writes its texts there.
    """
    for slug, seeder in (
        ("nordsoft", seed_nordsoft),
        ("fjordkontakt", seed_fjordkontakt),
    ):
        organisation = organisations.get(slug)
        if organisation is None:
            continue
        if organisation.entries.filter(source_reference__startswith=DEMO_REF).exists():
            _attach_acquisition(organisation)
            continue
        seeder(organisation, before_closing=before_closing)


def _attach_acquisition(organisation: Organisation) -> None:
    """Give the demo's Tallinn acquisition its unit where older seeding had none."""
    unit = organisation.business_units.filter(code="EE-TLL").first()
    if unit is None:
        return
    for recalculation in organisation.base_year_recalculations.filter(
        business_unit__isnull=True,
        description__startswith="Acquisition of Nordsoft Eesti (Tallinn)",
    ):
        recalculation.business_unit = unit
        recalculation.save(update_fields=["business_unit"])
