"""The demo organisations' own words for the 2024 report, and their scope 3 boundary.

Written through the report services while the demo's years are still open
(`emissions.demo.seed_emissions(before_closing=...)`).
"""

from accounts.models import Organisation, User
from reports.services import report_narrative_set, scope3_exclusion_set

NORDSOFT_TEXTS = {
    "en": (
        "Emissions rose against the recalculated 2019 base year while the group "
        "grew from four to six offices.\n\nScope 1 and 2 are still above the "
        "path to halving them by 2030; business travel is now the largest source.",
        "Guarantees of origin cover the grid electricity of Oslo and Stockholm\n"
        "Home working replaced part of the commuting\n"
        "Tallinn's base year is recalculated after the 2021 acquisition",
        "Travel policy: rail before air below 600 km from 2025\n"
        "Guarantees of origin for Copenhagen and Berlin\n"
        "Measure district heating in Helsinki instead of estimating it",
    ),
    "nb": (
        "Utslippene økte mot det omregnede basisåret 2019, mens konsernet vokste "
        "fra fire til seks kontorer.\n\nScope 1 og 2 ligger fortsatt over banen "
        "mot en halvering innen 2030; forretningsreiser er nå den største kilden.",
        "Opprinnelsesgarantier dekker nettstrømmen i Oslo og Stockholm\n"
        "Hjemmekontor erstattet en del av pendlingen\n"
        "Basisåret for Tallinn er omregnet etter oppkjøpet i 2021",
        "Reisepolicy: tog før fly under 600 km fra 2025\n"
        "Opprinnelsesgarantier for København og Berlin\n"
        "Måle fjernvarmen i Helsingfors i stedet for å anslå den",
    ),
    "sv": (
        "Utsläppen ökade mot det omräknade basåret 2019, samtidigt som koncernen "
        "växte från fyra till sex kontor.\n\nScope 1 och 2 ligger fortfarande "
        "över banan mot en halvering till 2030; tjänsteresor är nu den största "
        "källan.",
        "Ursprungsgarantier täcker nätelen i Oslo och Stockholm\n"
        "Hemarbete ersatte en del av pendlingen\n"
        "Basåret för Tallinn är omräknat efter förvärvet 2021",
        "Resepolicy: tåg före flyg under 60 mil från 2025\n"
        "Ursprungsgarantier för Köpenhamn och Berlin\n"
        "Mäta fjärrvärmen i Helsingfors i stället för att uppskatta den",
    ),
}
FJORD_TEXTS = {
    "nb": (
        "Utslippene er på nivå med i fjor; opprinnelsesgarantier dekker "
        "strømmen i Bergen.",
        "Færre innenlandsflyreiser\nMer pendling med kollektivtransport",
        "Elektriske servicebiler innen 2026\nKlimakrav i innkjøp av IT-utstyr",
    ),
    "en": (
        "Emissions are at last year's level; guarantees of origin cover the "
        "electricity in Bergen.",
        "Fewer domestic flights\nMore commuting by public transport",
        "Electric service vans by 2026\nClimate criteria when buying IT equipment",
    ),
}
SCOPE3_EXCLUSIONS = {
    2: "Computers and servers are leased; the screening put capital goods below "
    "1 % of the total.",
    4: "Suppliers deliver office goods with their own transport; below 1 % in the "
    "spend-based screening.",
    8: "The offices are rented; their energy is reported in scopes 1 and 2.",
    9: "Software and services only: no physical products are transported.",
    10: "No products are sold for further processing.",
    11: "Software in use runs on the customers' own equipment.",
    12: "No physical products are sold.",
    13: "No assets are leased out.",
    14: "No franchises.",
    15: "No investments beyond the group's own companies.",
}


def _seed_report_texts(
    organisation: Organisation, *, admin: User, editor: User, texts: dict
) -> None:
    from reports.services import report_narrative_set, scope3_exclusion_set

    for language, (key_messages, highlights, actions) in texts.items():
        report_narrative_set(
            organisation=organisation,
            actor=admin,
            year=2024,
            language=language,
            key_messages=key_messages,
            highlights=highlights,
            actions=actions,
        )
    reported = set(
        organisation.entries.filter(reporting_year__year=2024, scope=3)
        .values_list("scope3_category", flat=True)
        .distinct()
    )
    for category, justification in SCOPE3_EXCLUSIONS.items():
        if category not in reported:
            scope3_exclusion_set(
                organisation=organisation,
                actor=editor,
                year=2024,
                category=category,
                justification=justification,
            )


TEXTS = {"nordsoft": NORDSOFT_TEXTS, "fjordkontakt": FJORD_TEXTS}


def seed_report_texts(organisation: Organisation, *, admin: User, editor: User) -> None:
    """Write the organisation's 2024 key messages and scope 3 exclusions."""
    for language, (key_messages, highlights, actions) in TEXTS.get(
        organisation.slug, {}
    ).items():
        report_narrative_set(
            organisation=organisation,
            actor=admin,
            year=2024,
            language=language,
            key_messages=key_messages,
            highlights=highlights,
            actions=actions,
        )
    reported = set(
        organisation.entries.filter(reporting_year__year=2024, scope=3)
        .values_list("scope3_category", flat=True)
        .distinct()
    )
    for category, justification in SCOPE3_EXCLUSIONS.items():
        if category not in reported:
            scope3_exclusion_set(
                organisation=organisation,
                actor=editor,
                year=2024,
                category=category,
                justification=justification,
            )
