"""EFRAG's VSME Digital Template, filled in from a year's disclosure.

A copy of the template (`VSME_DATA_DIR`) gets the datapoints written into its
named ranges: every range is named after its taxonomy concept, with the
dimension member appended (`EnergyConsumptionFromFuels_RenewableEnergyMember`,
`GrossScope1GreenhouseGasEmissions_BaselineYearMember`); some ranges of a
default member name it too (`..._CurrentlyStatedMember`). The report's
identification (name, identifier, currency, period) goes into the cells the
template reserves for the XBRL converter, and the switches that open a table
(breakdown known, targets set, scope 3 disclosed) are set where the data is
there. What the inventory cannot give stays blank.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from disclosures.datapoints import AXIS_DEFAULTS, Datapoint
from disclosures.formats.workbook import WorkbookCells
from disclosures.taxonomy import TEMPLATE_FILE, vsme_file

GENERAL = "General Information"
ENVIRONMENT = "Environmental Disclosures"
# The template's identifier schemes (a drop-down list); only the LEI of ours.
TEMPLATE_SCHEMES = {"LEI"}


def range_names(point: Datapoint) -> list[str]:
    """Return the template's candidate range names of a datapoint, best first."""
    local = point.concept.partition(":")[2]
    if point.member:
        return [f"{local}_{point.member.partition(':')[2]}"]
    names = [local]
    for axis_default in AXIS_DEFAULTS.values():
        names.insert(0, f"{local}_{axis_default.partition(':')[2]}")
    return names


def _switch(cells: WorkbookCells, label: str, value: bool) -> None:
    """Set the yes/no cell of a question row (its label is in column C or G)."""
    for column, answer in (("C", "G"), ("G", "J")):
        row = cells.row_of_label(ENVIRONMENT, column, label)
        if row is not None:
            cells.set(ENVIRONMENT, f"{answer}{row}", value)
            return


def fill_template(disclosure, template: bytes | None = None) -> bytes:
    """Return the template filled with the disclosure's datapoints."""
    if template is None:
        template = vsme_file(TEMPLATE_FILE).read_bytes()
    cells = WorkbookCells(template)

    # The report's identification, as the XBRL converter reads it. A year that
    # is not approved is a draft, and its title says so.
    cells.set_name("template_reporting_entity_name", disclosure.legal_name)
    if not disclosure.final and "template_reporting_title" in cells.names:
        cells.set_name(
            "template_reporting_title",
            _("DRAFT, the year is not approved: sustainability report %(year)s")
            % {"year": disclosure.year},
        )
    identifier = disclosure.identifier
    if identifier is not None and identifier.label in TEMPLATE_SCHEMES:
        cells.set_name("template_reporting_entity_identifier_scheme", identifier.label)
        cells.set_name("template_reporting_entity_identifier", identifier.value)
    if disclosure.currency:
        cells.set_name("template_currency", disclosure.currency)
    # The year, month and day cells are the three above each date's cell,
    # whose formula joins them (and is replaced by the date for converters
    # that read stored values).
    for name, day in (
        ("template_reporting_period_startdate", disclosure.period_start),
        ("template_reporting_period_enddate", disclosure.period_end),
    ):
        sheet, ref = cells.name_cell(name)
        column, row = (
            ref.rstrip("0123456789"),
            int(ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")),
        )
        for offset, value in ((3, day.year), (2, day.month), (1, day.day)):
            cells.set(sheet, f"{column}{row - offset}", value)
        cells.set(sheet, ref, day.isoformat())

    points = disclosure.by_key()
    written = set()
    for point in disclosure.datapoints:
        if not point.concept or point.is_blank:
            continue
        for name in range_names(point):
            if name in cells.names and name not in written:
                value = point.rounded
                cells.set_name(name, value)
                written.add(name)
                break

    # Scope 3 by category: the rows the template adds up to the total.
    for key, point in points.items():
        if key.startswith("e16.scope3.") and not point.is_blank:
            category = int(key.rpartition(".")[2])
            row = cells.row_of_label(
                ENVIRONMENT, "C", f"template_label_{category}_", prefix=True
            )
            if row is not None:
                cells.set(ENVIRONMENT, f"D{row}", point.rounded)

    breakdown = any(
        not points[key].is_blank
        for key in ("b3.electricity_renewable", "b3.fuels_renewable")
        if key in points
    )
    _switch(
        cells,
        "template_label_has_the_undertaking_obtained_the_necessary_information_to_"
        "provide_an_energy_consumption_breakdown",
        breakdown,
    )
    has_target = "c3.base_year" in points
    _switch(
        cells,
        "template_label_has_the_undertaking_has_established_ghg_emission_reduction_"
        "targets",
        has_target,
    )
    plan = disclosure.transition_plan
    if plan is not None:
        # The status list of the template (its own English wording).
        status = (
            "A transition plan has already been adopted"
            if plan.adopted
            else "Adoption of a transition plan is planned in the future"
        )
        row = cells.row_of_label(
            ENVIRONMENT,
            "C",
            "template_label_status_of_implementation_of_a_transition_plan",
            prefix=True,
        )
        if row is not None:
            cells.set(ENVIRONMENT, f"D{row}", status)
    _switch(
        cells,
        "template_label_is_the_undertaking_disclosing_entity_specific_information_on_"
        "scope_3_emissions",
        not points["b3.scope3"].is_blank,
    )
    return cells.save()
