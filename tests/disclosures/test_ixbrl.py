"""Inline XBRL parsed back with Arelle: the API's figures, fact by fact."""

import json
from decimal import Decimal

import pytest
from arelle import Cntlr

from accounts.models import Organisation
from disclosures.exports import disclosure_file

pytestmark = pytest.mark.django_db

LEI_SCHEME = "http://standards.iso.org/iso/17442"
NORWAY = "urn:oasis:names:tc:ebcore:partyid-type:iso6523:0192"
# Concepts whose undimensioned fact the API inventory gives directly.
INVENTORY_FIELDS = {
    "vsme:GrossScope1GreenhouseGasEmissions": "scope1_t_co2e",
    "vsme:GrossLocationBasedScope2GreenhouseGasEmissions": "scope2_location_t_co2e",
    "vsme:GrossMarketBasedScope2GreenhouseGasEmissions": "scope2_market_t_co2e",
    "vsme:GrossScope3GreenhouseGasEmissions": "scope3_t_co2e",
    "vsme:TotalGrossLocationBasedGHGEmissions": "total_location_t_co2e",
    "vsme:TotalGrossMarketBasedGHGEmissions": "total_market_t_co2e",
}
UNITS_BY_TYPE = {
    "dtr-types:ghgEmissionsItemType": (["utr:tCO2e"], []),
    "dtr-types:energyItemType": (["utr:MWh"], []),
    "xbrli:monetaryItemType": (["iso4217:NOK"], []),
    "dtr-types:ghgEmissionsPerMonetaryItemType": (["utr:tCO2e"], ["iso4217:NOK"]),
}


def _parse(path):
    controller = Cntlr.Cntlr(logFileName="logToBuffer")
    controller.webCache.workOffline = True
    model = controller.modelManager.load(str(path))
    log = json.loads(controller.logHandler.getJson())["log"]
    facts = []
    for fact in model.facts:
        context = fact.context
        facts.append(
            {
                "concept": str(fact.qname),
                "value": fact.value,
                "decimals": fact.decimals,
                "unit": (
                    (
                        [str(m) for m in fact.unit.measures[0]],
                        [str(m) for m in fact.unit.measures[1]],
                    )
                    if fact.unit is not None
                    else None
                ),
                "instant": context.isInstantPeriod,
                "start": context.startDatetime,
                "end": context.endDatetime,
                "entity": context.entityIdentifier,
                "dims": {
                    str(dim): str(member.memberQname)
                    for dim, member in context.qnameDims.items()
                },
                "scenario": context.scenario is not None,
                "lang": fact.xmlLang,
            }
        )
    schema_refs = [
        ref.get("{http://www.w3.org/1999/xlink}href")
        for ref in model.modelDocument.xmlRootElement.iter(
            "{http://www.xbrl.org/2003/linkbase}schemaRef"
        )
    ]
    model.close()
    controller.close()
    return facts, log, schema_refs


def _member(dims: dict) -> str:
    return next(iter(dims.values()), "")


@pytest.mark.parametrize(
    ("slug", "language", "identifier"),
    [("nordsoft", "en", "918273645"), ("fjordkontakt", "nb", "987654321")],
)
def test_inline_xbrl_gives_the_api_figures_fact_by_fact(
    demo, vsme_taxonomy, api_for, tmp_path, slug, language, identifier
):
    organisation = Organisation.objects.get(slug=slug)
    admin = organisation.memberships.filter(role="admin").first().user
    client = api_for(admin)
    inventory = client.get(f"/api/v1/organisations/{slug}/inventory/2024/").json()
    disclosure = client.get(f"/api/v1/organisations/{slug}/disclosures/2024/").json()
    exported = disclosure_file(
        organisation=organisation, year=2024, fmt="ixbrl", language=language
    )
    assert exported.final
    path = tmp_path / exported.filename
    path.write_bytes(exported.content)

    facts, log, schema_refs = _parse(path)

    # Offline, Arelle cannot fetch the taxonomy; nothing else is wrong.
    problems = [
        entry["code"]
        for entry in log
        if entry["level"] in ("error", "warning")
        and entry["code"] not in ("IOerror", "ix11.12.1.2:missingReferences")
    ]
    assert problems == []
    assert schema_refs == [vsme_taxonomy["entryPoint"]]

    expected = {
        (point["concept"], point["member"]): point
        for point in disclosure["datapoints"]
        if point["concept"] and point["value"] is not None
    }
    seen = set()
    concepts = vsme_taxonomy["concepts"]
    for fact in facts:
        key = (fact["concept"], _member(fact["dims"]))
        assert key not in seen, f"{key} tagged twice"
        seen.add(key)
        point = expected[key]
        concept = concepts[fact["concept"]]
        assert fact["entity"] == (NORWAY, identifier)
        # The period the taxonomy gives the concept.
        if concept["periodType"] == "instant":
            assert fact["instant"]
            assert fact["end"].date().isoformat() == "2025-01-01"  # end of 2024
        else:
            assert not fact["instant"]
            assert fact["start"].date().isoformat() == "2024-01-01"
            assert fact["end"].date().isoformat() == "2025-01-01"
        # Dimensions in the scenario, as the taxonomy's tables say.
        if fact["dims"]:
            assert fact["scenario"]
        data_type = concept["dataType"]
        if data_type in UNITS_BY_TYPE:
            assert fact["unit"] == UNITS_BY_TYPE[data_type], fact["concept"]
            assert fact["decimals"] == str(point["decimals"])
            value = Decimal(fact["value"])
            assert value == Decimal(point["value"]), key
            field = INVENTORY_FIELDS.get(fact["concept"])
            if field and not fact["dims"]:
                assert value == Decimal(inventory[field]), field
        else:
            assert data_type in (
                "xbrli:gYearItemType",
                "dtr-types:textBlockItemType",
            )
            assert fact["unit"] is None
            assert fact["value"] == point["value"]
    assert seen == set(expected)
    # Every emission figure the API inventory gives is a fact.
    tagged = {concept for concept, member in seen if not member}
    assert set(INVENTORY_FIELDS) <= tagged


def test_every_concept_and_unit_is_the_taxonomys(demo, vsme_taxonomy, units_registry):
    from disclosures.datapoints import DECIMALS
    from disclosures.formats.ixbrl import DATA_TYPES
    from disclosures.selectors import disclosure_for_year

    organisation = Organisation.objects.get(slug="fjordkontakt")
    disclosure = disclosure_for_year(organisation=organisation, year=2024)
    concepts = vsme_taxonomy["concepts"]
    dimensions = vsme_taxonomy["dimensions"]
    members = {
        member
        for tables in dimensions.values()
        if isinstance(tables, dict)
        for table in tables.values()
        if isinstance(table, dict)
        for members in table.get("explicitDimensions", {}).values()
        for member in members
    }
    tagged = [point for point in disclosure.datapoints if point.concept]
    assert len(tagged) >= 30
    for point in tagged:
        concept = concepts[point.concept]
        assert not concept.get("abstract")
        assert DATA_TYPES[concept["dataType"]] == point.unit, point.key
        if point.member:
            assert point.member in members
            assert point.axis in concepts
        if point.unit in DECIMALS:
            assert point.decimals == DECIMALS[point.unit]
    for unit_id in ("tCO2e", "MWh", "NOK", "Emissions_per_Monetary"):
        assert unit_id in units_registry
    assert units_registry["Emissions_per_Monetary"]["itemType"] == (
        "ghgEmissionsPerMonetaryItemType"
    )


def test_an_open_year_is_a_draft_and_an_lei_names_its_scheme(demo, tmp_path):
    organisation = Organisation.objects.get(slug="nordsoft")
    organisation.lei = "5493001KJTIIGC8Y1R12"
    organisation.save()
    exported = disclosure_file(organisation=organisation, year=2025, fmt="ixbrl")
    assert not exported.final
    assert "draft" in exported.filename
    text = exported.content.decode()
    assert "DRAFT: the year is not approved" in text
    path = tmp_path / "draft.xhtml"
    path.write_bytes(exported.content)
    facts, _log, _refs = _parse(path)
    assert {fact["entity"] for fact in facts} == {(LEI_SCHEME, "5493001KJTIIGC8Y1R12")}
    final = disclosure_file(organisation=organisation, year=2024, fmt="ixbrl")
    assert b"DRAFT" not in final.content


def test_inline_xbrl_needs_an_identifier(org, vsme_files):
    from django.core.exceptions import ValidationError

    from tests.factories import ReportingYearFactory

    ReportingYearFactory(organisation=org, year=2024)
    with pytest.raises(ValidationError, match="LEI"):
        disclosure_file(organisation=org, year=2024, fmt="ixbrl")
