"""The demo organisations, business units and users (idempotent)."""

from dataclasses import dataclass

from django.db import transaction

from accounts.models import (
    BusinessUnit,
    ConsolidationApproach,
    Membership,
    Organisation,
    User,
    unit_code_validator,
)
from accounts.roles import Role

# Documented in the README and printed by `manage.py demo_logins`.
DEMO_PASSWORD = "carbon-demo-2019"  # noqa: S105 (public demo password)


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    memberships: tuple[tuple[str, str], ...]  # (organisation slug, role)


DEMO_ORGANISATIONS = [
    {
        "slug": "nordsoft",
        "name": "Nordsoft Group AS",
        "org_number": "918 273 645",
        "org_number_scheme": "NO:ORG",
        "reporting_currency": "NOK",
        "country": "NO",
        "base_year": 2019,
        "consolidation_approach": ConsolidationApproach.OPERATIONAL,
        "language": "en",
        "units": [
            # code, name, country, parent code, equity %, joined, left
            ("NORDICS", "Nordic markets", "NO", None, 100, None, None),
            ("NO-OSL", "Nordsoft Norge, Oslo", "NO", "NORDICS", 100, None, None),
            ("SE-STO", "Nordsoft Sverige, Stockholm", "SE", "NORDICS", 100, None, None),
            ("DK-CPH", "Nordsoft Danmark, København", "DK", "NORDICS", 100, None, None),
            ("FI-HEL", "Nordsoft Suomi, Helsinki", "FI", "NORDICS", 100, None, None),
            ("EE-TLL", "Nordsoft Eesti, Tallinn", "EE", None, 100, 2021, None),
            ("DE-BER", "Nordsoft Deutschland, Berlin", "DE", None, 60, None, None),
        ],
    },
    {
        "slug": "fjordkontakt",
        "name": "Fjordkontakt Kundesenter AS",
        "org_number": "987 654 321",
        "org_number_scheme": "NO:ORG",
        "reporting_currency": "NOK",
        "country": "NO",
        "base_year": 2019,
        "consolidation_approach": ConsolidationApproach.OPERATIONAL,
        "language": "nb",
        "units": [
            ("BGO", "Bergen kundesenter", "NO", None, 100, None, None),
            ("TRD", "Trondheim kundesenter", "NO", None, 100, None, None),
        ],
    },
]

# Fjordkontakt has one administrator: its managing director, a viewer, is the
# named approver, so that the administrator's own submissions get four eyes.
NAMED_APPROVERS = {("viewer@fjordkontakt.example", "fjordkontakt")}

DEMO_USERS = [
    DemoUser("admin@nordsoft.example", "Ingrid Haugen", (("nordsoft", Role.ADMIN),)),
    DemoUser("finance@nordsoft.example", "Per Olsen", (("nordsoft", Role.ADMIN),)),
    DemoUser("editor@nordsoft.example", "Erik Lindqvist", (("nordsoft", Role.EDITOR),)),
    DemoUser("viewer@nordsoft.example", "Maja Nilsen", (("nordsoft", Role.VIEWER),)),
    DemoUser(
        "auditor@revisjon.example",
        "Kari Revisor",
        (("nordsoft", Role.AUDITOR), ("fjordkontakt", Role.AUDITOR)),
    ),
    DemoUser(
        "admin@fjordkontakt.example", "Ola Nordmann", (("fjordkontakt", Role.ADMIN),)
    ),
    DemoUser(
        "editor@fjordkontakt.example", "Sofie Berg", (("fjordkontakt", Role.EDITOR),)
    ),
    DemoUser(
        "viewer@fjordkontakt.example", "Lars Dahl", (("fjordkontakt", Role.VIEWER),)
    ),
]


@transaction.atomic
def seed_accounts() -> dict[str, Organisation]:
    """Create or update the demo organisations, units and users."""
    organisations: dict[str, Organisation] = {}
    for spec in DEMO_ORGANISATIONS:
        fields = {k: v for k, v in spec.items() if k not in ("slug", "units")}
        org, _ = Organisation.objects.update_or_create(
            slug=spec["slug"], defaults=fields
        )
        organisations[org.slug] = org
        for code, name, country, parent, equity, joined, left in spec["units"]:
            unit_code_validator(code)
            BusinessUnit.objects.update_or_create(
                organisation=org,
                code=code,
                defaults={
                    "name": name,
                    "country": country,
                    "parent": (
                        BusinessUnit.objects.get(organisation=org, code=parent)
                        if parent
                        else None
                    ),
                    "equity_share": equity,
                    "year_joined": joined,
                    "year_left": left,
                },
            )
    for demo in DEMO_USERS:
        user = User.objects.filter(email=demo.email).first()
        if user is None:
            user = User.objects.create_user(
                demo.email, DEMO_PASSWORD, full_name=demo.full_name
            )
        for slug, role in demo.memberships:
            Membership.objects.update_or_create(
                user=user,
                organisation=organisations[slug],
                defaults={
                    "role": role,
                    "may_approve": (demo.email, slug) in NAMED_APPROVERS,
                },
            )
    return organisations
