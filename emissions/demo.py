"""Demo activity data for the two demo organisations, 2019 to 2025 (idempotent).

Quantities are invented but plausible for a Nordic software group and a
Norwegian call centre; every figure is computed by the real services with the
shipped factors, and evidence files are generated as small real PDFs.

No Nordic district-heating figure could be checked against a publication, so
none is shipped: each demo organisation loads its own grid-factor file of
district-heating figures, invented for the demo and marked unverified. Years
that use them, or a shipped factor marked unverified, are approved with the
confirmation the year's history records.

Travel uses the factors a Nordic company would: flights between non-UK
airports at DESNZ's "International, to/from non-UK" figure, and hotel nights
at the organisation's own factor for Nordic hotels, with its published source
(see NORDIC_HOTEL). Fjordkontakt's flights are domestic Norwegian flights, at
DESNZ's domestic average, the published figure for flights of that length.

Each year is submitted with a comment on every change its readiness review
asks one for (DEMO_COMMENTS), as its editors would write them.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Sum

from accounts.models import Organisation, User
from emissions.factor_files import ParsedFactor, ParsedFactorFile
from emissions.factor_files.grid import GRID_COLUMNS, parse_grid_rows
from emissions.models import ActivityEntry, ActivityType, EvidenceKind, FactorSetKind
from emissions.readiness.changes import year_changes
from emissions.resolution import ResolutionCache
from emissions.services import records
from emissions.services.entries import entry_create
from emissions.services.evidence import evidence_add
from emissions.services.factors import factor_override_create, factor_set_import
from emissions.services.findings import finding_create
from emissions.services.years import (
    year_approve,
    year_change_comments_set,
    year_submit,
)

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
    # Flights from Nordic airports, within Europe and beyond.
    Line("flight_international_economy", "7600", "passenger_km", TRAVEL, "calculated"),
    Line("rail_national", "700", "passenger_km", TRAVEL, "calculated"),
    Line("taxi", "120", "passenger_km", TRAVEL, "spend_based"),
    Line("hotel_night_nordic", "1.5", "room_night", TRAVEL, "calculated"),
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
    Line("hotel_night_nordic", "0.3", "room_night", TRAVEL, "calculated"),
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
    _load_nordic_hotel_factor(organisation, admin=admin)
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
        _comment_changes(organisation, year=year, editor=editor)
        # Approved at once below: no e-mail to the approvers.
        year_submit(organisation=organisation, actor=editor, year=year, notify=False)
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


# Hotel nights in the Nordic countries: DESNZ publishes no Nordic figure in its
# current editions. Its 2020 edition is the one that gives a Nordic country,
# Finland (later editions leave that cell blank); the demo organisations use it
# as their own factor for every Nordic hotel night, with its source.
NORDIC_HOTEL = {
    "co2e": Decimal("11.8"),
    "publication": (
        "UK Government GHG Conversion Factors for Company Reporting 2020 (BEIS)"
    ),
    "edition": "2020",
    "table_or_page": "Flat file, Factors by Category, Hotel stay, Finland, row 7510",
    "source_url": (
        "https://www.gov.uk/government/publications/"
        "greenhouse-gas-reporting-conversion-factors-2020"
    ),
    "source_note": (
        "Hotel stay, Finland, kg CO2e per room night, used for hotel nights in the "
        "Nordic countries: the only Nordic country the UK tables give a figure "
        "for (2020 edition; later editions leave it blank)."
    ),
}


def _load_nordic_hotel_factor(organisation: Organisation, *, admin: User) -> None:
    """Load the own Nordic hotel-night factor and make it the type's factor."""
    factor_set, _created = factor_set_import(
        parsed=ParsedFactorFile(
            publisher=organisation.name,
            name="Own factors: hotel nights in the Nordic countries",
            edition_year=2020,
            version="1",
            region="NO, SE, DK, FI",
            source_url=NORDIC_HOTEL["source_url"],
            licence="Open Government Licence v3.0",
            gwp_basis="AR4",
            checksum_sha256=f"demo-nordic-hotel-{organisation.pk}",
            rows=[
                ParsedFactor(
                    key="own|hotel_night_nordic|room_night",
                    scope_label="Scope 3",
                    path=("Hotel stay", "Nordic countries (Finland's figure)"),
                    column_text="",
                    unit="room_night",
                    unit_label="Room per night",
                    co2e=NORDIC_HOTEL["co2e"],
                    gases={},
                    gas_basis="co2e",
                    source_note=NORDIC_HOTEL["source_note"],
                    publication=NORDIC_HOTEL["publication"],
                    edition=NORDIC_HOTEL["edition"],
                    table_or_page=NORDIC_HOTEL["table_or_page"],
                    source_url=NORDIC_HOTEL["source_url"],
                    gases_covered="co2e",
                    verification="source",
                    verification_note="Read in the publisher's 2020 flat file.",
                )
            ],
        ),
        kind=FactorSetKind.GENERIC,
        organisation=organisation,
        actor=admin,
        file_name="nordic-hotel-nights.csv",
    )
    factor_override_create(
        organisation=organisation,
        actor=admin,
        activity_type=ActivityType.objects.get(
            organisation__isnull=True, code="hotel_night_nordic"
        ),
        factor=factor_set.factors.get(),
    )


# The demo editors' comments on the changes the readiness review asks one for.
# Scope totals have their own words per organisation and year; a line's comment
# says whether its quantity or its factor moved, and why.
SCOPE_COMMENTS = {
    ("nordsoft", 2020, "scope2"): "2019 has no published residual mix, so its "
    "market-based figure is the grid factor's; from 2020 the residual mixes apply.",
    ("nordsoft", 2020, "scope3"): "Business travel stopped almost entirely from "
    "March 2020 in the pandemic.",
    ("nordsoft", 2020, "total"): "Less travel, partly offset by the market-based "
    "scope 2 now priced at the residual mixes.",
    ("nordsoft", 2021, "scope1"): "Nordsoft Eesti (Tallinn), acquired in 2021, "
    "heats with natural gas.",
    ("nordsoft", 2021, "scope2"): "Tallinn's electricity joined in 2021; "
    "guarantees of origin cover Stockholm and Helsinki from 2021.",
    ("nordsoft", 2021, "scope3"): "Travel picked up in the pandemic's second year, "
    "and Tallinn joined.",
    ("nordsoft", 2021, "total"): "Tallinn joined the group and travel picked up.",
    ("nordsoft", 2022, "scope3"): "Business travel came back after the pandemic.",
    ("nordsoft", 2022, "total"): "Business travel came back after the pandemic.",
    ("nordsoft", 2023, "scope2"): "Guarantees of origin cover Oslo's electricity "
    "from 2023.",
    ("fjordkontakt", 2020, "scope2"): "2019 has no published residual mix, so its "
    "market-based figure is the grid factor's; from 2020 NVE's residual mix "
    "applies.",
    ("fjordkontakt", 2020, "scope3"): "Fewer flights and taxis in the pandemic.",
    ("fjordkontakt", 2020, "total"): "The market-based scope 2, now at NVE's "
    "residual mix, outweighs the fall in travel.",
    ("fjordkontakt", 2022, "scope2"): "Guarantees of origin cover the electricity "
    "in Bergen from 2022.",
    ("fjordkontakt", 2022, "scope3"): "Travel came back after the pandemic.",
    ("fjordkontakt", 2022, "total"): "Guarantees of origin in Bergen; travel came "
    "back after the pandemic.",
}
FLEET_COMMENT = (
    "Fewer litres of diesel and petrol: company cars are replaced by electric "
    "cars, one contract at a time."
)
TRAVEL_CODES = {
    "flight_international_economy",
    "flight_domestic_average",
    "rail_national",
    "taxi",
    "hotel_night_nordic",
}
FLEET_CODES = {"diesel_vehicles", "petrol_vehicles"}
GRID_CODES = {"electricity", "server_energy", "district_heating"}
TRAVEL_COMMENTS = {
    2020: "Travel stopped almost entirely from March 2020 in the pandemic.",
    2021: "Travel picked up slowly in the pandemic's second year.",
    2022: "Travel came back after the pandemic, still below 2019.",
}


def _quantities(organisation: Organisation, code: str, activity: str, year: int):
    return ActivityEntry.objects.filter(
        organisation=organisation,
        business_unit__code=code,
        activity_type__code=activity,
        reporting_year__year=year,
    ).aggregate(q=Sum("converted_quantity"))["q"]


def _demo_comment(organisation: Organisation, change, year: int) -> str:
    """Write what the demo's editors would say about a change."""
    if change.is_scope:
        if change.key == "scope1":
            return SCOPE_COMMENTS.get(
                (organisation.slug, year, "scope1"), FLEET_COMMENT
            )
        return SCOPE_COMMENTS.get(
            (organisation.slug, year, change.key),
            "See the largest changes by business unit and activity.",
        )
    code, activity = change.unit_code, change.activity_code
    if not change.previous_t:
        if code == "EE-TLL" and year == 2021:
            return "Nordsoft Eesti (Tallinn) joined the group in 2021."
        if activity == "home_working":
            return "Home working is reported from 2024 (scope 3 category 7)."
        return "A new source this year."
    before = _quantities(organisation, code, activity, year - 1)
    after = _quantities(organisation, code, activity, year)
    moved = before and after and abs(after / before - 1) * 100 > Decimal(10)
    if not moved:
        if activity in GRID_CODES:
            return (
                "The grid factor of the unit's country changed between the two "
                "years; the consumption moved little."
            )
        return (
            "The published factor changed between the two years' editions; the "
            "quantity moved little."
        )
    if activity in TRAVEL_CODES:
        return TRAVEL_COMMENTS.get(year, "Fewer trips under the travel policy.")
    if activity in FLEET_CODES:
        return FLEET_COMMENT
    return "The quantity follows the headcount and the offices' efficiency measures."


def _comment_changes(organisation: Organisation, *, year: int, editor: User) -> None:
    """Comment every change of the year's review that asks for a comment."""
    review = year_changes(organisation=organisation, year=year)
    comments = {
        change.key: _demo_comment(organisation, change, year)
        for change in review.needing_comments
    }
    if comments:
        year_change_comments_set(
            organisation=organisation, actor=editor, year=year, comments=comments
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
                production_start=datetime.date(year, 1, 1),
                production_end=datetime.date(year, 12, 31),
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
            production_start=datetime.date(year, 1, 1),
            production_end=datetime.date(year, 12, 31),
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
