"""Factor library pages: what each role sees and may do."""

from decimal import Decimal

import lxml.html
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from emissions.factor_files.common import ParsedFactor, ParsedFactorFile
from emissions.models import ActivityEntry, ActivityType, FactorSet, MethodologyChange
from emissions.services.factors import factor_set_import
from tests.factories import BusinessUnitFactory, ReportingYearFactory

D = Decimal
DESNZ = "UK DESNZ / BEIS conversion factors"


def _page(response):
    assert response.status_code == 200
    return lxml.html.fromstring(response.content.decode())


def _text(node) -> str:
    return " ".join(" ".join(node.itertext()).split())


def _tables(doc):
    return doc.xpath("//main//table")


def _rows(table) -> list[list[str]]:
    """The text of each body row's cells."""
    return [
        [_text(cell) for cell in row.xpath("./td")] for row in table.xpath("./tbody/tr")
    ]


def _facts(doc) -> dict[str, str]:
    return {_text(dt): _text(dt.getnext()) for dt in doc.xpath("//main//dl/dt")}


def _field_errors(doc) -> dict[str, list[str]]:
    """Each form field's label (without the required mark) and its errors."""
    return {
        _text(field.xpath("./label")[0]).removesuffix(" *"): [
            _text(error) for error in field.xpath("./p[@class='error']")
        ]
        for field in doc.xpath("//main//div[contains(@class, 'has-error')]")
    }


def _muted(doc) -> list[str]:
    return [_text(p) for p in doc.xpath("//main//p[@class='muted']")]


def _row(key, co2e, unit="kWh_gross", level1="Fuels"):
    return ParsedFactor(
        key=key,
        scope_label="Scope 1",
        path=(level1, key.split("|")[0]),
        column_text="",
        unit=unit,
        unit_label=unit,
        co2e=D(co2e),
        gases={"CO2": D(co2e)},
        gas_basis="co2e",
        source_note=f"row for {key}",
    )


def _set(year, rows, organisation=None, kind="desnz", name=None):
    parsed = ParsedFactorFile(
        publisher="DESNZ",
        name=name or f"DESNZ {year}",
        edition_year=year,
        version="1",
        region="GB",
        source_url="https://www.gov.uk/",
        licence="OGL",
        gwp_basis="AR5",
        checksum_sha256=f"{year}-{name}-{organisation and organisation.pk}",
        rows=rows,
    )
    return factor_set_import(parsed=parsed, kind=kind, organisation=organisation)[0]


@pytest.fixture
def sets(db, org, other_org):
    old = _set(2024, [_row("gas", "0.2"), _row("coal", "0.3"), _row("gone", "1")])
    new = _set(2025, [_row("gas", "0.25"), _row("coal", "0.3"), _row("peat", "0.4")])
    own = _set(2025, [_row("own-gas", "0.1")], org, "generic", "Acme own")
    theirs = _set(2025, [_row("their-gas", "9")], other_org, "generic", "Theirs")
    return {"old": old, "new": new, "own": own, "theirs": theirs}


def url(name, *args):
    return reverse(name, args=("acme", *args))


def test_set_list_shows_global_and_own_sets_only(client_for, viewer, sets):
    response = client_for(viewer).get(url("factor_set_list"))
    own, published = _tables(_page(response))
    today = timezone.localdate().isoformat()
    assert _rows(own) == [
        ["Acme own", "Own factors (generic layout)", "2025", "AR5", "1", today]
    ]
    assert _rows(published) == [
        ["DESNZ 2025", DESNZ, "2025", "AR5", "3", today],
        ["DESNZ 2024", DESNZ, "2024", "AR5", "3", today],
    ]
    assert "Theirs" not in response.content.decode()


def test_set_list_says_when_there_are_no_sets(client_for, viewer):
    own, published = _tables(_page(client_for(viewer).get(url("factor_set_list"))))
    assert _rows(own) == [["No own factor sets yet."]]
    assert _rows(published) == [["No published factor sets are loaded."]]


def test_another_organisations_private_set_is_404(client_for, viewer, sets):
    client = client_for(viewer)
    theirs = sets["theirs"]
    factor = theirs.factors.get()
    compare = url("factor_set_compare", sets["own"].pk) + f"?old={theirs.pk}"
    for path in (
        url("factor_set_detail", theirs.pk),
        url("factor_detail", factor.pk),
        compare,
    ):
        response = client.get(path)
        assert response.status_code == 404
        body = response.content.decode()
        assert "Theirs" not in body and "their-gas" not in body


def test_set_detail_searches_and_paginates(client_for, auditor, sets):
    client = client_for(auditor)
    response = client.get(url("factor_set_detail", sets["new"].pk), {"q": "peat"})
    assert [f.key for f in response.context["page"]] == ["peat"]
    doc = _page(response)
    (table,) = _tables(doc)
    assert _rows(table) == [["Fuels › peat", "kWh_gross", "0.4", "CO2 0.4"]]
    assert _muted(doc) == ["1 factor"]
    assert doc.xpath("//input[@name='q']/@value") == ["peat"]
    response = client.get(url("factor_set_detail", sets["new"].pk), {"page": "99"})
    assert response.context["page"].number == 1
    doc = _page(response)
    assert _rows(_tables(doc)[0]) == [
        ["Fuels › coal", "kWh_gross", "0.3", "CO2 0.3"],
        ["Fuels › gas", "kWh_gross", "0.25", "CO2 0.25"],
        ["Fuels › peat", "kWh_gross", "0.4", "CO2 0.4"],
    ]
    assert _muted(doc) == ["3 factors"]
    assert _facts(doc) == {
        "Publisher": "DESNZ",
        "Edition": "2025 (version 1)",
        "Owner": "Global, read-only",
        "GWP basis": "IPCC AR5 (100-year)",
        "Source": "https://www.gov.uk/",
        "Licence": "OGL",
    }


def test_set_detail_says_when_no_factor_matches(client_for, viewer, sets):
    response = client_for(viewer).get(
        url("factor_set_detail", sets["new"].pk), {"q": "lignite"}
    )
    doc = _page(response)
    assert _rows(_tables(doc)[0]) == [["No factors match."]]
    assert _muted(doc) == ["0 factors"]


def _entry(organisation, code, factor, user):
    activity_type, _ = ActivityType.objects.get_or_create(
        organisation=None,
        code="boiler_gas",
        defaults={
            "name": "Boiler gas",
            "scope": 1,
            "iso_category": 1,
            "allowed_units": ["kWh_gross"],
            "default_unit": "kWh_gross",
            "factor_source": "published",
        },
    )
    return ActivityEntry.objects.create(
        organisation=organisation,
        business_unit=BusinessUnitFactory(organisation=organisation, code=code),
        reporting_year=ReportingYearFactory(organisation=organisation, year=2025),
        activity_type=activity_type,
        quantity=D("1200"),
        unit="kWh_gross",
        scope=1,
        iso_category=1,
        factor=factor,
        factor_set=factor.factor_set,
        converted_quantity=D("1200"),
        kg_co2e=D("300"),
        created_by=user,
        updated_by=user,
    )


def test_factor_page_shows_source_gases_and_only_own_entries(
    client_for, viewer, admin, outsider, other_org, sets
):
    factor = sets["new"].factors.get(key="gas")
    ours = _entry(viewer.memberships.get().organisation, "OSL", factor, admin)
    _entry(other_org, "THEIRS", factor, outsider)
    doc = _page(client_for(viewer).get(url("factor_detail", factor.pk)))
    # Human labels only: the factor's key is a technical reference at the foot.
    assert _facts(doc) == {
        "Value": "0.25 kg CO2e per kWh (gross calorific value)",
        "Used for": "Boiler gas",
        "Category as published": "Fuels › gas",
        "Unit": "kWh (gross calorific value)",
        "Scope": "Scope 1",
        "Factor set": (
            "UK DESNZ greenhouse gas conversion factors 2025 (edition 2025, 1)"
        ),
        "Publisher": "UK Department for Energy Security and Net Zero (DESNZ)",
        "Source": "row for gas https://www.gov.uk/",
        "Licence": "OGL",
    }
    gases, entries = _tables(doc)
    assert _rows(gases) == [["CO2", "0.25"]]
    assert _rows(entries) == [
        ["2025", "OSL", "Boiler gas", "1,200 kWh (gross calorific value)", "300.00"]
    ]
    link = doc.xpath("//main//table[2]//a/@href")
    assert link == [reverse("entry_detail", args=("acme", ours.pk))]


def test_factor_page_without_entries_says_so(client_for, viewer, sets):
    factor = sets["new"].factors.get(key="coal")
    doc = _page(client_for(viewer).get(url("factor_detail", factor.pk)))
    assert _rows(_tables(doc)[1]) == [
        ["No entries of your organisation use this factor."]
    ]


def test_compare_gives_old_new_change_and_percent(client_for, viewer, sets):
    response = client_for(viewer).get(
        url("factor_set_compare", sets["new"].pk), {"old": sets["old"].pk}
    )
    doc = _page(response)
    assert _rows(_tables(doc)[0]) == [
        ["Fuels › coal", "kWh_gross", "0.3", "0.3", "0", "0.00"],
        ["Fuels › gas", "kWh_gross", "0.2", "0.25", "0.05", "25.00"],
        ["Fuels › gone", "kWh_gross", "1", "–", "removed", "–"],
        ["Fuels › peat", "kWh_gross", "–", "0.4", "new", "–"],
    ]
    assert _muted(doc) == [
        "4 factor keys: DESNZ 2024 (2024) against DESNZ 2025 (2025)."
    ]
    rows = {r.key: r for r in response.context["page"]}
    assert rows["gas"].old_value == D("0.2")
    assert rows["gas"].new_value == D("0.25")
    assert rows["gas"].change == D("0.05")
    assert rows["gas"].change_pct == D("25")
    assert rows["coal"].status == "unchanged"
    assert rows["peat"].status == "added"
    assert rows["gone"].status == "removed"


def test_compare_filters_by_status_and_text(client_for, viewer, sets):
    client = client_for(viewer)
    path = url("factor_set_compare", sets["new"].pk)
    changed = client.get(path, {"old": sets["old"].pk, "status": "changed"})
    assert [r.key for r in changed.context["page"]] == ["gas"]
    assert _rows(_tables(_page(changed))[0]) == [
        ["Fuels › gas", "kWh_gross", "0.2", "0.25", "0.05", "25.00"]
    ]
    searched = client.get(path, {"old": sets["old"].pk, "q": "coal"})
    assert [r.key for r in searched.context["page"]] == ["coal"]
    assert _rows(_tables(_page(searched))[0]) == [
        ["Fuels › coal", "kWh_gross", "0.3", "0.3", "0", "0.00"]
    ]


def test_compare_picks_the_nearest_older_edition_by_default(client_for, viewer, sets):
    response = client_for(viewer).get(url("factor_set_compare", sets["new"].pk))
    assert response.context["old_set"] == sets["old"]
    doc = _page(response)
    assert doc.xpath("//select[@name='old']/option[@selected]/text()") == [
        "DESNZ 2024 (2024)"
    ]


def test_compare_without_another_edition_says_so(client_for, viewer, sets):
    doc = _page(client_for(viewer).get(url("factor_set_compare", sets["own"].pk)))
    assert _muted(doc) == [
        "There is no other set of the same publisher to compare with."
    ]
    assert _tables(doc) == []


READ_PAGES = ["factor_set_list", "factor_set_detail", "factor_detail"]


def _args(name, sets):
    if name == "factor_set_detail":
        return (sets["new"].pk,)
    if name == "factor_detail":
        return (sets["new"].factors.first().pk,)
    return ()


@pytest.mark.parametrize("name", READ_PAGES)
def test_read_pages_404_for_outsider(client_for, outsider, sets, name):
    response = client_for(outsider).get(url(name, *_args(name, sets)))
    assert response.status_code == 404


@pytest.mark.parametrize("name", READ_PAGES)
def test_read_pages_send_anonymous_to_login(client, sets, name):
    response = client.get(url(name, *_args(name, sets)))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", READ_PAGES)
def test_read_pages_refuse_post(client_for, admin, sets, name):
    response = client_for(admin).post(url(name, *_args(name, sets)))
    assert response.status_code == 405


def test_compare_refuses_post_and_outsider(client_for, admin, outsider, sets, client):
    path = url("factor_set_compare", sets["new"].pk)
    assert client_for(admin).post(path).status_code == 405
    assert client_for(outsider).get(path).status_code == 404


MANAGE_GET = ["factor_set_upload", "factor_methodology"]
MANAGE_POST = [
    "factor_gwp_change",
    "factor_preference",
    "factor_reapply",
    "factor_residual_mix",
]


def _labels(doc) -> list[str]:
    return [
        _text(label).removesuffix(" *")
        for label in doc.xpath("//main//div[contains(@class, 'field')]/label")
    ]


def test_upload_page_offers_the_layouts_and_the_fields(client_for, admin):
    doc = _page(client_for(admin).get(url("factor_set_upload")))
    assert _text(doc.xpath("//main//h1")[0]) == "Import your own factor set"
    assert _labels(doc) == ["Layout", "File", "Name", "Year"]
    options = doc.xpath("//select[@name='publisher']/option")
    assert [(o.get("value"), _text(o)) for o in options] == [
        ("generic", "Own factors (generic CSV/XLSX layout)"),
        ("grid", "Grid, residual-mix and district-heating figures (grid layout)"),
        ("desnz", "UK DESNZ flat file"),
        ("epa", "US EPA Emission Factors Hub"),
    ]


def test_methodology_page_shows_the_settings_and_their_forms(client_for, admin):
    doc = _page(client_for(admin).get(url("factor_methodology")))
    assert [_text(h) for h in doc.xpath("//main//h2")] == [
        "GWP set",
        "Publisher",
        "Residual mix by country",
        "Re-apply factors to a year",
        "Own factors that override published ones",
        "Recorded methodology changes",
    ]
    assert "Current: IPCC AR5 (100-year)." in [
        _text(p) for p in doc.xpath("//main//section/p")
    ]
    assert _labels(doc) == [
        "New GWP set",
        "Reason",
        "Publisher of published factors",
        "Country",
        "Residual mix",
        "Activity type",
        "Own factor",
        "Only for business unit",
        "From year",
    ]
    assert [_text(li) for li in doc.xpath("//main//ul[@class='plain']/li")] == [
        "No overrides."
    ]
    assert _rows(_tables(doc)[-1]) == [["None yet."]]


@pytest.mark.parametrize("name", MANAGE_GET + MANAGE_POST)
@pytest.mark.parametrize("role", ["editor", "viewer", "auditor"])
def test_manage_pages_403_without_manage(request, client_for, name, role):
    user = request.getfixturevalue(role)
    client = client_for(user)
    response = client.post(url(name)) if name in MANAGE_POST else client.get(url(name))
    if (name, role) == ("factor_methodology", "auditor"):
        # Auditors read the methodology, without its forms.
        assert response.status_code == 200
        assert 'name="gwp_set"' not in response.content.decode()
        return
    assert response.status_code == 403


@pytest.mark.parametrize("name", MANAGE_GET + MANAGE_POST)
def test_manage_pages_404_for_outsider(client_for, outsider, org, name):
    client = client_for(outsider)
    response = client.post(url(name)) if name in MANAGE_POST else client.get(url(name))
    assert response.status_code == 404


@pytest.mark.parametrize("name", MANAGE_GET + MANAGE_POST)
def test_manage_pages_send_anonymous_to_login(client, org, name):
    response = client.post(url(name)) if name in MANAGE_POST else client.get(url(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", MANAGE_POST)
def test_manage_actions_refuse_get(client_for, admin, name):
    assert client_for(admin).get(url(name)).status_code == 405


def test_manage_pages_refuse_wrong_methods(client_for, admin):
    client = client_for(admin)
    assert client.put(url("factor_set_upload")).status_code == 405
    assert client.post(url("factor_methodology")).status_code == 405


def test_admin_uploads_a_generic_csv_as_a_private_set(client_for, admin, org):
    upload = SimpleUploadedFile(
        "hotels.csv",
        b"key,category,name,unit,kg_co2e_per_unit,source\n"
        b"hotel-nordic,Hotel,Nordic hotel night,room night,12.5,Supplier\n",
        content_type="text/csv",
    )
    response = client_for(admin).post(
        url("factor_set_upload"),
        {"publisher": "generic", "file": upload, "name": "Hotels", "year": "2024"},
    )
    factor_set = FactorSet.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("factor_set_detail", factor_set.pk)
    assert factor_set.organisation == org
    assert factor_set.file_name == "hotels.csv"
    assert factor_set.factors.get().co2e == D("12.5")


def test_upload_of_a_bad_file_shows_the_problem_and_stores_nothing(client_for, admin):
    upload = SimpleUploadedFile("broken.xlsx", b"not a workbook")
    response = client_for(admin).post(
        url("factor_set_upload"), {"publisher": "desnz", "file": upload}
    )
    errors = _field_errors(_page(response))
    assert list(errors) == ["File"]
    # What follows is the spreadsheet reader's own words.
    assert errors["File"][0].startswith(
        "The file could not be imported: upload.xlsx is not a readable spreadsheet "
        "(.xls, .xlsx or .ods): "
    )
    assert FactorSet.objects.count() == 0


def test_upload_refuses_other_file_types(client_for, admin):
    upload = SimpleUploadedFile("notes.pdf", b"%PDF-1.4")
    response = client_for(admin).post(
        url("factor_set_upload"), {"publisher": "generic", "file": upload}
    )
    assert _field_errors(_page(response)) == {
        "File": ["Upload a .xls, .xlsx, .ods or .csv file."]
    }
    assert FactorSet.objects.count() == 0


def test_admin_changes_gwp_set_with_a_reason(client_for, admin, org):
    response = client_for(admin).post(
        url("factor_gwp_change"), {"gwp_set": "AR6", "reason": "Follow AR6"}
    )
    assert response.status_code == 302
    assert response["Location"] == url("factor_methodology")
    org.refresh_from_db()
    assert org.gwp_set == "AR6"
    change = MethodologyChange.objects.get()
    assert (change.old_value, change.new_value, change.reason) == (
        "AR5",
        "AR6",
        "Follow AR6",
    )


def test_gwp_change_without_reason_is_refused(client_for, admin, org):
    response = client_for(admin).post(
        url("factor_gwp_change"), {"gwp_set": "AR6", "reason": ""}
    )
    assert response.status_code == 400
    doc = lxml.html.fromstring(response.content.decode())
    assert _field_errors(doc) == {"Reason": ["This field is required."]}
    org.refresh_from_db()
    assert org.gwp_set == "AR5"
    assert MethodologyChange.objects.count() == 0


GRID_CSV = (
    b"country,year,kind,value,unit,gas_basis,publication,edition,table_or_page,url\n"
    b'SE,2023,residual_mix_nordic,"524,10",g/kWh,CO2,Ei Residualmix,2023,'
    b"Milj\xc3\xb6p\xc3\xa5verkan table,https://www.ei.se/\n"
)


def test_admin_uploads_a_grid_factor_file_as_the_organisations_own(
    client_for, admin, org
):
    response = client_for(admin).post(
        url("factor_set_upload"),
        {
            "publisher": "grid",
            "file": SimpleUploadedFile("ei-2023.csv", GRID_CSV),
            # Not an installation administrator: the field is not offered.
            "installation": "on",
        },
    )
    factor_set = FactorSet.objects.get()
    assert response.status_code == 302
    assert (factor_set.kind, factor_set.organisation, factor_set.edition_year) == (
        "grid",
        org,
        2023,
    )
    factor = factor_set.factors.get()
    assert (factor.key, factor.co2e) == ("residual_mix|SE|nordic", D("0.5241"))
    assert factor_set.history.get().history_type == "+"
    page = client_for(admin).get(url("factor_detail", factor.pk)).content.decode()
    for text in (
        "Ei Residualmix",
        "Miljöpåverkan table",
        "CO2 only",
        "Loaded from a file by an administrator",
    ):
        assert text in page
    form = client_for(admin).get(url("factor_set_upload")).content.decode()
    assert 'name="installation"' not in form


def test_an_installation_administrator_loads_a_grid_file_for_everyone(
    client_for, admin, org
):
    from accounts.models import Membership, User

    root = User.objects.create_superuser(email="root@example.org", password="x")
    Membership.objects.create(user=root, organisation=org, role="admin")
    client = client_for(root)
    assert (
        'name="installation"' in client.get(url("factor_set_upload")).content.decode()
    )
    client.post(
        url("factor_set_upload"),
        {
            "publisher": "grid",
            "file": SimpleUploadedFile("ei-2023.csv", GRID_CSV),
            "installation": "on",
        },
    )
    assert FactorSet.objects.get().organisation is None


def test_a_bad_grid_file_is_refused_whole(client_for, admin):
    response = client_for(admin).post(
        url("factor_set_upload"),
        {
            "publisher": "grid",
            "file": SimpleUploadedFile(
                "x.csv", GRID_CSV + b"SE,2023,location,x,,,,,,\n"
            ),
        },
    )
    assert _field_errors(_page(response)) == {
        "File": [
            "The file could not be imported: upload.csv: 1 row(s) have errors; "
            "nothing was imported. row 3: value 'x' is not a number; unit '' is not "
            "one of g/kWh, kg/kWh, g/MWh, kg/MWh, t/MWh; gas_basis '' is not CO2 or "
            "CO2e; publication is empty; edition is empty"
        ]
    }
    assert not FactorSet.objects.exists()


def test_an_unverified_factor_says_so_on_its_page(client_for, viewer, sets):
    factor = sets["new"].factors.get(key="gas")
    factor.verification = "unverified"
    factor.verification_note = "Single transcription."
    factor.save()
    body = client_for(viewer).get(url("factor_detail", factor.pk)).content.decode()
    assert "Unverified: not checked against the publication. Single transcription." in (
        body
    )
    assert 'class="badge unverified"' in body
    listing = client_for(viewer).get(url("factor_set_detail", sets["new"].pk))
    assert listing.content.decode().count('class="badge unverified"') == 1


def test_the_residual_mix_of_a_country_is_chosen_with_history(
    client_for, admin, editor, org, unit
):
    from emissions.models import ResidualMixChoice

    page = client_for(admin).get(url("factor_methodology")).content.decode()
    assert "NVE, Energiavirasto" in page and "(default)" in page
    assert client_for(editor).post(url("factor_residual_mix")).status_code == 403
    response = client_for(admin).post(
        url("factor_residual_mix"), {"country": "se", "mix": "nordic"}
    )
    assert response.status_code == 302
    choice = ResidualMixChoice.objects.get(organisation=org)
    assert (choice.country, choice.mix, choice.updated_by) == ("SE", "nordic", admin)
    assert choice.history.get().history_user == admin
    bad = client_for(admin).post(
        url("factor_residual_mix"), {"country": "S1", "mix": "nordic"}
    )
    assert bad.status_code == 400
    assert "S1 is not a two-letter country code." in bad.content.decode()


def _title(body: str) -> str:
    import re

    return re.search(r"<h1>(.*?)</h1>", body, re.S).group(1)


def test_factor_page_is_titled_by_the_activity_it_serves_never_its_key(
    client_for, viewer, org, sets
):
    from emissions.models import ActivityType

    ActivityType.objects.create(
        organisation=org,
        code="boiler_gas",
        name="Boiler gas",
        name_nb="Gass til kjelen",
        scope=1,
        iso_category=1,
        allowed_units=["kWh_gross"],
        default_unit="kWh_gross",
        factor_keys={"desnz": "gas"},
    )
    factor = sets["new"].factors.get(key="gas")
    body = client_for(viewer).get(url("factor_detail", factor.pk)).content.decode()
    title = _title(body)
    assert title.startswith("Boiler gas ")
    assert "|" not in title and "gas" not in title.replace("Boiler gas", "")
    assert "0.25 kg CO2e per kWh (gross calorific value)" in body
    assert "<dt>Category as published</dt><dd>Fuels › gas</dd>" in body
    # The key is a small technical reference at the foot, nothing more.
    assert body.count(">gas</code>") == 1
    assert '<p class="muted small">Technical reference: <code>gas</code></p>' in body
    client = client_for(viewer)
    client.cookies["django_language"] = "nb"
    assert _title(client.get(url("factor_detail", factor.pk)).content.decode())
    assert _title(
        client.get(url("factor_detail", factor.pk)).content.decode()
    ).startswith("Gass til kjelen ")


def test_a_grid_factor_page_names_its_kind_and_country(client_for, viewer, org):
    from emissions.models import EmissionFactor, FactorSet

    factor_set = FactorSet.objects.create(
        kind="curated", publisher="x", name="Grid factors", edition_year=2024
    )
    factor = EmissionFactor.objects.create(
        factor_set=factor_set,
        key="residual_mix|SE|aib",
        level1="Residual mix (AIB)",
        level2="SE",
        unit="kWh",
        co2e=D("0.08552"),
        gases_covered="co2",
    )
    body = client_for(viewer).get(url("factor_detail", factor.pk)).content.decode()
    assert _title(body).startswith("Residual mix (AIB) – Sweden ")
    assert "residual_mix|SE|aib</code></p>" in body
    assert "<h1>residual_mix" not in body
