"""Every URL of the project, for every role, an outsider and an anonymous visitor.

Organisation pages are expected to answer by the capability their view requires
(`org_view` records it on the view) and the role table in accounts.roles; the
few pages with a narrower rule say so in OVERRIDES. A URL that has no row in
ARGUMENTS makes the test fail, so a new page cannot go untested.
"""

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Membership
from accounts.roles import ROLE_CAPABILITIES, Role
from emissions.models import (
    BaseYearRecalculation,
    CarbonCredit,
    ContractualInstrument,
    EmissionFactor,
    EvidenceDocument,
    FactorSet,
    Finding,
    ImportBatch,
)
from reports.models import GeneratedReport
from tests.factories import BusinessUnitFactory, MembershipFactory, UserFactory
from tests.reports.factories import entry

pytestmark = pytest.mark.django_db

ROLES = [Role.ADMIN, Role.EDITOR, Role.VIEWER, Role.AUDITOR]

# URL name -> keyword arguments other than org_slug, from the fixture's objects.
ARGUMENTS: dict[str, Callable[[dict], dict]] = {
    "org_home": lambda o: {},
    "settings_organisation": lambda o: {},
    "unit_list": lambda o: {},
    "unit_create": lambda o: {},
    "unit_edit": lambda o: {"code": "OSL"},
    "unit_delete": lambda o: {"code": "OSL"},
    "member_list": lambda o: {},
    "member_edit": lambda o: {"pk": o["membership"].pk},
    "member_remove": lambda o: {"pk": o["membership"].pk},
    "factor_set_list": lambda o: {},
    "factor_set_upload": lambda o: {},
    "factor_methodology": lambda o: {},
    "factor_gwp_change": lambda o: {},
    "factor_preference": lambda o: {},
    "factor_residual_mix": lambda o: {},
    "factor_reapply": lambda o: {},
    "factor_override": lambda o: {},
    "factor_set_detail": lambda o: {"pk": o["factor_set"].pk},
    "factor_set_compare": lambda o: {"pk": o["factor_set"].pk},
    "factor_detail": lambda o: {"pk": o["factor"].pk},
    "entry_index": lambda o: {},
    "entry_grid": lambda o: {"year": 2024, "unit_code": "OSL"},
    "entry_row_save": lambda o: {
        "year": 2024,
        "unit_code": "OSL",
        "type_pk": o["entry"].activity_type_id,
    },
    "entry_detail": lambda o: {"pk": o["entry"].pk},
    "entry_edit": lambda o: {"pk": o["entry"].pk},
    "entry_delete": lambda o: {"pk": o["entry"].pk},
    "entry_evidence_upload": lambda o: {"pk": o["entry"].pk},
    "evidence_download": lambda o: {"pk": o["evidence"].pk},
    "evidence_remove": lambda o: {"pk": o["evidence"].pk},
    "year_index": lambda o: {},
    "year_detail": lambda o: {"year": 2024},
    "year_submit": lambda o: {"year": 2024},
    "year_change_comments": lambda o: {"year": 2024},
    "year_return": lambda o: {"year": 2024},
    "year_approve": lambda o: {"year": 2024},
    "year_unlock": lambda o: {"year": 2024},
    "year_evidence_upload": lambda o: {"year": 2024},
    "history_index": lambda o: {},
    "instrument_list": lambda o: {},
    "instrument_detail": lambda o: {"pk": o["instrument"].pk},
    "instrument_edit": lambda o: {"pk": o["instrument"].pk},
    "instrument_delete": lambda o: {"pk": o["instrument"].pk},
    "credit_list": lambda o: {},
    "credit_edit": lambda o: {"pk": o["credit"].pk},
    "credit_delete": lambda o: {"pk": o["credit"].pk},
    "record_evidence_upload": lambda o: {
        "kind": "instrument",
        "pk": o["instrument"].pk,
    },
    "metric_list": lambda o: {},
    "target_list": lambda o: {},
    "recalculation_list": lambda o: {},
    "recalculation_approve": lambda o: {"pk": o["recalculation"].pk},
    "finding_list": lambda o: {},
    "finding_action": lambda o: {"pk": o["finding"].pk, "action": "resolve"},
    "import_upload": lambda o: {},
    "import_detail": lambda o: {"pk": o["batch"].pk},
    "import_commit": lambda o: {"pk": o["batch"].pk},
    "import_rollback": lambda o: {"pk": o["batch"].pk},
    "import_discard": lambda o: {"pk": o["batch"].pk},
    "import_resume": lambda o: {"pk": o["batch"].pk},
    "import_template": lambda o: {"fmt": "xlsx"},
    "inventory_export": lambda o: {"fmt": "xlsx"},
    "dashboard": lambda o: {},
    "report_list": lambda o: {},
    "report_download": lambda o: {"pk": o["report"].pk},
    "report_texts_index": lambda o: {},
    "report_texts": lambda o: {"year": 2024},
    "report_narrative_save": lambda o: {"year": 2024},
    "scope3_exclusion_save": lambda o: {"year": 2024},
    "scope3_exclusion_delete": lambda o: {"year": 2024, "category": 14},
    "entry_list": lambda o: {},
    "disclosure_index": lambda o: {},
    "disclosure_detail": lambda o: {"year": 2024},
    "disclosure_export": lambda o: {"year": 2024, "fmt": "vsme-xlsx"},
    "disclosure_plan_save": lambda o: {"year": 2024},
}
# Pages whose rule is narrower than their capability.
OVERRIDES = {
    "history_index": {Role.ADMIN, Role.AUDITOR},
    # Read-only for auditors; administrators change it.
    "factor_methodology": {Role.ADMIN, Role.AUDITOR},
}
# An editor limited to the business unit EXTRA, while the fixture's entry,
# instrument, evidence, batch, finding and report belong to OSL or to the whole
# organisation: the exact status of each page (accounts.tenancy's rule). WRITES
# are pages the limited editor may use whose only method is POST: a POST would
# change data, and their own tests cover them.
WRITES = "write"
LIMITED_EDITOR: dict[str, int | str] = {
    "org_home": 200,
    "settings_organisation": 403,
    "unit_list": 403,
    "unit_create": 403,
    "unit_edit": 403,
    "unit_delete": 403,
    "member_list": 403,
    "member_edit": 403,
    "member_remove": 403,
    "factor_set_list": 200,
    "factor_set_upload": 403,
    "factor_methodology": 403,
    "factor_gwp_change": 403,
    "factor_preference": 403,
    "factor_reapply": 403,
    "factor_override": 403,
    "factor_residual_mix": 403,
    "factor_set_detail": 200,
    "factor_set_compare": 200,
    "factor_detail": 200,
    "entry_index": 200,
    "entry_grid": 403,
    "entry_row_save": 403,
    "entry_detail": 403,
    "entry_edit": 403,
    "entry_delete": 403,
    "entry_evidence_upload": 403,
    "evidence_download": 403,
    "evidence_remove": 403,
    "year_index": 200,
    "year_detail": 200,
    # A year is the whole organisation's: a limited member neither comments
    # its changes nor submits it.
    "year_submit": 403,
    "year_change_comments": 403,
    "year_return": 403,
    "year_approve": 403,
    "year_unlock": 403,
    "year_evidence_upload": WRITES,
    "history_index": 403,
    "instrument_list": 200,
    # The fixture's instrument is OSL's.
    "instrument_detail": 403,
    "instrument_edit": 403,
    "instrument_delete": 403,
    "credit_list": 403,
    "credit_edit": 403,
    "credit_delete": 403,
    "record_evidence_upload": 403,
    "metric_list": 200,
    "target_list": 200,
    "recalculation_list": 403,
    "recalculation_approve": 403,
    "finding_list": 200,
    "finding_action": 403,
    "import_upload": 200,
    "import_detail": 403,
    "import_commit": 403,
    "import_rollback": 403,
    "import_discard": 403,
    "import_resume": 403,
    "import_template": 200,
    "inventory_export": 200,
    "dashboard": 200,
    "report_list": 200,
    # Texts are read by every member; exclusions are the whole organisation's.
    "report_texts_index": 302,  # to the latest year's texts
    "report_texts": 200,
    "report_narrative_save": 403,
    "scope3_exclusion_save": 403,
    "scope3_exclusion_delete": 403,
    # The drill-down lists the member's own units' lines only; without the
    # year it asks for, it answers 400 with the form.
    "entry_list": 400,
    "report_download": 403,
    # Disclosures are figures of the whole organisation.
    "disclosure_index": 403,
    "disclosure_detail": 403,
    "disclosure_export": 403,
    "disclosure_plan_save": 403,
}
# URLs outside any organisation: name -> expected status for an anonymous GET.
PUBLIC = {
    "home": 302,
    "login": 200,
    "logout": 405,
    "invitation_accept": 404,
    "password_change": 302,
    "password_change_done": 302,
    "password_reset": 200,
    "password_reset_done": 200,
    "password_reset_confirm": 200,
    "password_reset_complete": 200,
    "set_language": 302,
    "healthz": 200,
    "api_tokens": 302,
    "api_token_revoke": 405,
}
PUBLIC_ARGS = {
    "invitation_accept": {"token": "not-a-token"},
    "api_token_revoke": {"pk": 1},
    "password_reset_confirm": {"uidb64": "MQ", "token": "bad-token"},
}


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def _capability(callback) -> str | None:
    found = None
    while callback is not None:
        found = getattr(callback, "required_capability", found)
        callback = getattr(callback, "__wrapped__", None)
    return found


def _patterns():
    for route, pattern in _walk(get_resolver().url_patterns):
        if route.startswith(("admin/", "api/")):
            continue
        yield route, pattern


@pytest.fixture
def objects(org, admin, editor, viewer, auditor, outsider):
    unit = BusinessUnitFactory(organisation=org, code="OSL")
    extra = BusinessUnitFactory(organisation=org, code="EXTRA")
    limited = UserFactory(email="limited@acme.example")
    MembershipFactory(
        user=limited, organisation=org, role=Role.EDITOR
    ).business_units.set([extra])
    the_entry = entry(
        organisation=org,
        unit=unit,
        year=2024,
        code="natural_gas",
        scope=1,
        kg="10",
        user=admin,
    )
    factor_set = FactorSet.objects.create(
        kind="curated", publisher="Test", name="Test factors", edition_year=2024
    )
    factor = EmissionFactor.objects.create(
        factor_set=factor_set, key="grid_location|NO", unit="kWh", co2e=Decimal("0.011")
    )
    evidence = EvidenceDocument(
        organisation=org,
        original_name="invoice.pdf",
        sha256="a" * 64,
        size=9,
        content_type="application/pdf",
        uploaded_by=admin,
    )
    evidence.file.save("invoice.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    evidence.save()
    report = GeneratedReport.objects.create(
        organisation=org,
        kind="pdf",
        year=2024,
        requested_by=admin,
        status="done",
    )
    report.file.save("r.pdf", ContentFile(b"%PDF-1.4\n"))
    spare = Membership.objects.get(user=viewer)
    batch = ImportBatch.objects.create(
        organisation=org,
        file_name="q1.xlsx",
        sha256="b" * 64,
        status="committed",
        uploaded_by=editor,
    )
    return {
        "entry": the_entry,
        "factor_set": factor_set,
        "factor": factor,
        "evidence": evidence,
        "report": report,
        "membership": spare,
        "batch": batch,
        "instrument": ContractualInstrument.objects.create(
            organisation=org,
            business_unit=unit,
            reporting_year=the_entry.reporting_year,
            kind="go",
            mwh=Decimal("1"),
            created_by=admin,
            updated_by=admin,
        ),
        "credit": CarbonCredit.objects.create(
            organisation=org,
            claimed_year=the_entry.reporting_year,
            tonnes=Decimal("1"),
            standard="Gold Standard",
            project="P",
            vintage=2023,
            retirement_date="2024-05-01",
            created_by=admin,
            updated_by=admin,
        ),
        "recalculation": BaseYearRecalculation.objects.create(
            organisation=org,
            reason="error",
            description="d",
            effective_date="2024-01-01",
            created_by=admin,
            updated_by=admin,
        ),
        "finding": Finding.objects.create(
            organisation=org,
            reporting_year=the_entry.reporting_year,
            text="t",
            raised_by=auditor,
        ),
        "users": {
            Role.ADMIN: admin,
            Role.EDITOR: editor,
            Role.VIEWER: viewer,
            Role.AUDITOR: auditor,
        },
        "outsider": outsider,
        "limited": limited,
    }


def test_every_url_has_a_row():
    missing = []
    for route, pattern in _patterns():
        if route.startswith("o/<slug:org_slug>/"):
            if pattern.name not in ARGUMENTS:
                missing.append(f"{pattern.name} ({route})")
        elif pattern.name not in PUBLIC:
            missing.append(f"{pattern.name} ({route})")
    assert missing == [], "URLs without a row in the permission matrix: " + ", ".join(
        missing
    )


def test_every_url_has_a_row_for_a_limited_member():
    names = {p.name for r, p in _patterns() if r.startswith("o/<slug:org_slug>/")}
    assert set(LIMITED_EDITOR) == names


def test_public_urls(client):
    problems = []
    for route, pattern in _patterns():
        if route.startswith("o/"):
            continue
        url = reverse(pattern.name, kwargs=PUBLIC_ARGS.get(pattern.name, {}))
        status = client.get(url).status_code
        if status != PUBLIC[pattern.name]:
            problems.append(f"{pattern.name}: {status} != {PUBLIC[pattern.name]}")
    assert problems == []


def test_organisation_urls_for_every_role(client, org, objects):
    problems = []
    table = []
    for route, pattern in _patterns():
        if not route.startswith("o/<slug:org_slug>/"):
            continue
        capability = _capability(pattern.callback)
        assert capability is not None, f"{pattern.name} is not behind org_view"
        url = reverse(
            pattern.name,
            kwargs={"org_slug": org.slug, **ARGUMENTS[pattern.name](objects)},
        )
        client.logout()
        post_only = client.get(url).status_code == 405
        method = client.post if post_only else client.get

        client.logout()
        status = method(url).status_code
        if status != 302:
            problems.append(f"{pattern.name} anonymous: {status}")
        client.force_login(objects["outsider"])
        status = method(url).status_code
        if status != 404:
            problems.append(f"{pattern.name} outsider: {status}")
        row = [pattern.name]
        for role in ROLES:
            allowed = OVERRIDES.get(pattern.name)
            may = role in allowed if allowed else capability in ROLE_CAPABILITIES[role]
            row.append("ok" if may else "403")
            if post_only and may:
                continue  # a POST would change data; its own tests cover it
            client.force_login(objects["users"][role])
            status = method(url).status_code
            if not may and status != 403:
                problems.append(f"{pattern.name} {role}: {status}, expected 403")
            if may and status in (403, 404, 405):
                problems.append(f"{pattern.name} {role}: {status}, expected access")
        expected = LIMITED_EDITOR[pattern.name]
        row.append(str(expected))
        if expected != WRITES:
            client.force_login(objects["limited"])
            status = method(url).status_code
            if status != expected:
                problems.append(f"{pattern.name} limited editor: {status}, {expected}")
        table.append(" ".join(f"{cell:24}" for cell in row))
    assert problems == [], "\n".join(problems + ["", "Expected:"] + table)
