"""The report's summary, bridges, own texts, exclusions and drill-down links."""

import re
from decimal import Decimal
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import Organisation
from carbonledger.lib.formatting import plain_number, unit_name
from emissions.models import ActivityEntry
from emissions.selectors_entries import history_for
from reports.kinds.annual_pdf import render_html
from reports.models import ReportNarrative, Scope3Exclusion
from reports.selectors import (
    annual_report_data,
    bridge_between,
    figure_totals,
    inventory_for_year,
    report_narrative_for,
)
from reports.services import (
    report_narrative_set,
    scope3_exclusion_delete,
    scope3_exclusion_set,
)
from tests.factories import BusinessUnitFactory
from tests.reports.factories import entry

pytestmark = pytest.mark.django_db


# --- Formatting -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "language", "shown"),
    [
        (Decimal("544876.8000"), "en", "544,876.8"),
        (Decimal("544876.8000"), "nb", "544\u00a0876,8"),
        (Decimal("3.5000000000"), "sv", "3,5"),
        (Decimal("0.0000000000"), "en", "0"),
        (Decimal("0.000123400"), "en", "0.0001234"),
        (Decimal("1E+3"), "nb", "1\u00a0000"),
    ],
)
def test_stored_numbers_show_without_padding_and_grouped(value, language, shown):
    assert plain_number(value, language) == shown


@pytest.mark.parametrize(
    ("code", "language", "shown"),
    [
        ("passenger_km", "en", "passenger-km"),
        ("passenger_km", "nb", "personkm"),
        ("room_night", "sv", "rumsnatt"),
        ("litre", "sv", "liter"),
        ("tonne", "nb", "tonn"),
        ("kWh_gross", "en", "kWh (gross calorific value)"),
        ("kWh", "nb", "kWh"),
    ],
)
def test_units_are_named_in_the_readers_language(code, language, shown):
    with translation.override(language):
        assert unit_name(code) == shown


# --- Bridge -----------------------------------------------------------------


@pytest.fixture
def two_units(org, admin):
    oslo = BusinessUnitFactory(organisation=org, code="OSL")
    bergen = BusinessUnitFactory(organisation=org, code="BGO")
    for year, gas_kg, gas_q, flight_kg in (
        (2019, "12345.6", "60000", "4000.01"),
        (2023, "11000", "50000", "3500"),
        (2024, "10050", "52000", "4321.09"),
    ):
        entry(
            organisation=org,
            unit=oslo,
            year=year,
            code="natural_gas",
            scope=1,
            kg=gas_kg,
            quantity=gas_q,
            user=admin,
        )
        entry(
            organisation=org,
            unit=oslo,
            year=year,
            code="flights",
            scope=3,
            category=6,
            kg=flight_kg,
            quantity="10000",
            user=admin,
        )
    # Bergen joined after the base year.
    entry(
        organisation=org,
        unit=bergen,
        year=2024,
        code="natural_gas",
        scope=1,
        kg="777.7",
        quantity="3000",
        user=admin,
    )
    return oslo, bergen


def test_bridge_steps_add_up_from_start_to_end_exactly(org, two_units):
    bridge = bridge_between(
        organisation=org,
        start_year=2019,
        end_year=2024,
        adjustment_t=Decimal("0.5"),
    )
    assert bridge.start_t == Decimal("16.34561")
    assert bridge.end_t == Decimal("15.14879")
    assert bridge.start_t + bridge.total_change_t == bridge.end_t
    kinds = [step.kind for step in bridge.steps]
    assert kinds[:2] == ["structural", "subtotal"]
    steps = {step.label: step.value_t for step in bridge.steps}
    assert steps["Structural changes (base-year recalculations)"] == Decimal("0.5")
    assert steps["Base year 2019 recalculated"] == Decimal("16.84561")
    # Bergen has no 2019 lines: its 0.7777 t less the 0.5 t recalculation.
    assert steps["Units added since 2019, less their recalculated base"] == Decimal(
        "0.2777"
    )
    # Oslo's gas: 60,000 -> 52,000 units; activity + factor = -2.2956 t.
    gas = steps["Natural gas: activity"] + steps["Natural gas: factors"]
    assert gas == Decimal("-2.2956")


def test_bridge_from_last_year_has_no_structural_step(org, two_units):
    bridge = bridge_between(organisation=org, start_year=2023, end_year=2024)
    assert bridge.start_t == Decimal("14.5")
    assert bridge.start_t + bridge.total_change_t == bridge.end_t
    assert "structural" not in {step.kind for step in bridge.steps}


def test_bridge_ends_are_the_inventorys_figures(org, two_units):
    inventory = inventory_for_year(organisation=org, year=2024)
    bridge = bridge_between(organisation=org, start_year=2019, end_year=2024)
    assert bridge.start_t == inventory.base_year_original_t_co2e
    assert bridge.end_t == inventory.total_t_co2e


# --- Key messages -----------------------------------------------------------


def test_key_messages_are_shown_in_the_reports_language_and_kept_in_history(
    org, admin, two_units
):
    report_narrative_set(
        organisation=org,
        actor=admin,
        year=2024,
        language="nb",
        key_messages="Utslippene falt.\n\nVi reiser mindre.",
        highlights="- Tog før fly\n- Solceller",
    )
    report_narrative_set(
        organisation=org,
        actor=admin,
        year=2024,
        language="en",
        key_messages="Emissions fell.",
    )
    report_narrative_set(
        organisation=org,
        actor=admin,
        year=2024,
        language="nb",
        key_messages="Utslippene falt med 7 %.",
        highlights="- Tog før fly\n- Solceller",
    )
    nb = report_narrative_for(organisation=org, year=2024, language="nb")
    assert nb.language == "nb"
    assert nb.key_messages == ["Utslippene falt med 7 %."]
    assert nb.highlights == ["Tog før fly", "Solceller"]
    # No Swedish text: the Swedish report has none, never another language's.
    assert report_narrative_for(organisation=org, year=2024, language="sv") is None
    assert report_narrative_for(organisation=org, year=2023, language="en") is None
    narrative = ReportNarrative.objects.get(organisation=org, year=2024, language="nb")
    history = list(narrative.history.order_by("history_id"))
    assert [h.history_type for h in history] == ["+", "~"]
    assert history[-1].history_user == admin
    assert history[0].key_messages == "Utslippene falt.\n\nVi reiser mindre."

    data = annual_report_data(organisation=org, year=2024)
    html = render_html(data, language="nb")
    assert "Utslippene falt med 7 %." in html
    assert "Emissions fell." not in html
    assert "Solceller" in html


def test_no_texts_means_no_empty_heading(org, admin, two_units):
    data = annual_report_data(organisation=org, year=2024)
    html = render_html(data, language="en")
    assert "Key messages" not in html
    assert "Highlights of the year" not in html


def test_only_administrators_write_key_messages(org, editor, two_units):
    with pytest.raises(ValidationError):
        report_narrative_set(
            organisation=org, actor=editor, year=2024, language="en", key_messages="x"
        )
    assert not ReportNarrative.objects.exists()


# --- Scope 3 exclusions -----------------------------------------------------


def test_exclusions_are_kept_in_history_and_shown_with_translated_names(
    org, editor, two_units
):
    exclusion = scope3_exclusion_set(
        organisation=org,
        actor=editor,
        year=2024,
        category=14,
        justification="No franchises.",
    )
    scope3_exclusion_set(
        organisation=org,
        actor=editor,
        year=2024,
        category=14,
        justification="The group has no franchises.",
    )
    data = annual_report_data(organisation=org, year=2024)
    html = render_html(data, language="sv")
    assert "14. Franchiser" in html
    assert "The group has no franchises." in html
    pk = exclusion.pk
    scope3_exclusion_delete(organisation=org, actor=editor, exclusion=exclusion)
    history = Scope3Exclusion.history.filter(id=pk).order_by("history_id")
    assert history.last().history_user == editor
    assert [h.history_type for h in history] == [
        "+",
        "~",
        "-",
    ]


def test_a_reported_category_cannot_be_excluded(org, editor, two_units):
    with pytest.raises(ValidationError) as error:
        scope3_exclusion_set(
            organisation=org,
            actor=editor,
            year=2024,
            category=6,
            justification="Not relevant.",
        )
    assert "category" in error.value.message_dict
    assert not Scope3Exclusion.objects.exists()


def test_viewers_cannot_write_exclusions(org, viewer, two_units):
    with pytest.raises(ValidationError):
        scope3_exclusion_set(
            organisation=org, actor=viewer, year=2024, category=14, justification="x"
        )


# --- Pages ------------------------------------------------------------------


def _url(org, name, **kwargs):
    return reverse(name, kwargs={"org_slug": org.slug, **kwargs})


def test_text_pages_by_role(client, org, admin, editor, viewer, outsider, two_units):
    narrative = _url(org, "report_narrative_save", year=2024)
    exclusions = _url(org, "scope3_exclusion_save", year=2024)
    page = _url(org, "report_texts", year=2024)
    assert client.get(page).status_code == 302  # anonymous: to the login
    client.force_login(outsider)
    assert client.get(page).status_code == 404
    client.force_login(viewer)
    assert client.get(page).status_code == 200
    assert client.post(narrative, {"language": "en"}).status_code == 403
    assert client.post(exclusions, {"category": 14}).status_code == 403
    client.force_login(editor)
    assert client.get(narrative).status_code == 405
    assert client.post(narrative, {"language": "en"}).status_code == 403
    response = client.post(
        exclusions, {"category": "14", "justification": "No franchises."}
    )
    assert response.status_code == 302
    assert client.post(exclusions, {"category": "99"}).status_code == 400
    client.force_login(admin)
    response = client.post(
        narrative, {"language": "sv", "key_messages": "Utsläppen minskade."}
    )
    assert response.status_code == 302
    assert ReportNarrative.objects.get(language="sv").key_messages == (
        "Utsläppen minskade."
    )
    assert client.post(narrative, {"language": "xx"}).status_code == 400
    assert client.get(page).status_code == 200


def test_a_language_without_texts_never_borrows_another_languages(
    client, org, admin, two_units
):
    for language, text in (("en", "Emissions fell."), ("nb", "Utslippene falt.")):
        report_narrative_set(
            organisation=org,
            actor=admin,
            year=2024,
            language=language,
            key_messages=text,
            highlights="- Rail before air",
            actions="- Heat pumps",
        )
    html = render_html(annual_report_data(organisation=org, year=2024), language="sv")
    for text in ("Emissions fell.", "Utslippene falt.", "Rail before air"):
        assert text not in html
    for heading in ("Huvudbudskap", "Årets höjdpunkter", "Åtgärder"):
        assert f">{heading}<" not in html
    # The page tells the administrator which language has no texts.
    client.force_login(admin)
    page = client.get(_url(org, "report_texts", year=2024)).content.decode()
    assert 'data-missing="sv"' in page
    assert (
        "No texts for 2024 in Swedish: reports in these languages leave out the "
        "key messages, highlights and actions." in page
    )
    client.cookies["django_language"] = "nb"
    page = client.get(_url(org, "report_texts", year=2024)).content.decode()
    assert "Ingen tekster for 2024 på svensk: rapporter på disse språkene" in page


def test_both_forms_of_the_texts_page_answer_errors_the_same_way(
    client, org, admin, two_units
):
    client.force_login(admin)
    # Category 6 has emissions: the service refuses it, the page says why and
    # offers again only the categories that can be excluded, numbered.
    response = client.post(
        _url(org, "scope3_exclusion_save", year=2024),
        {"category": "6", "justification": "Nobody travels."},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Category 6 has emissions recorded for 2024" in page
    assert '<option value="14">14. Franchises</option>' in page
    assert '<option value="6"' not in page
    assert "Nobody travels.</textarea>" in page
    response = client.post(
        _url(org, "report_narrative_save", year=2024),
        {"language": "sv", "key_messages": "x" * 4001},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Keep each text under 4000 characters." in page
    assert 'id="id_sv_key_messages"' in page
    assert not ReportNarrative.objects.exists()
    assert not Scope3Exclusion.objects.exists()


def test_entry_list_refuses_bad_filters(client, org, viewer, two_units):
    client.force_login(viewer)
    url = _url(org, "entry_list")
    for query in ("", "?year=abc", "?year=2024&scope=7", "?year=2024&unit=NOPE"):
        assert client.get(url + query).status_code == 400, query
    assert client.get(url + "?year=2024&scope=3&category=6").status_code == 200


# --- Both demo organisations --------------------------------------------------


def _figures(html: str) -> dict[str, list[tuple[str, str]]]:
    """Return (link, shown figure) pairs of the dashboard, by kind of figure."""
    found: dict[str, list[tuple[str, str]]] = {}
    for href, kind, text in re.findall(
        r'<a href="([^"]+)" data-figure="(\w+)">(.*?)</a>', html, re.S
    ):
        if kind == "total":
            figure = text
        else:
            row = html[html.index(f'data-figure="{kind}">{text}</a>') :]
            row = row[: row.index("</tr>")]
            # A source's row: quantity, the headline figure, the other method.
            numbers = re.findall(r'class="num">([^<]+)<', row)
            figure = numbers[1] if kind == "activity" else numbers[-1]
        found.setdefault(kind, []).append((unescape(href), figure))
    return found


def test_demo_reports_add_up_and_drill_down_to_their_figures(client):
    call_command("seed_demo")
    for slug in ("nordsoft", "fjordkontakt"):
        organisation = Organisation.objects.get(slug=slug)
        inventory = inventory_for_year(organisation=organisation, year=2024)
        adjustment = inventory.base_year_total_t_co2e - (
            inventory.base_year_original_t_co2e
        )
        for start in (organisation.base_year, 2023):
            bridge = bridge_between(
                organisation=organisation,
                start_year=start,
                end_year=2024,
                adjustment_t=adjustment if start == organisation.base_year else 0,
            )
            assert bridge.start_t + bridge.total_change_t == bridge.end_t
            assert bridge.end_t.quantize(Decimal("0.0001")) == (
                inventory.total_t_co2e.quantize(Decimal("0.0001"))
            )

        # The summary prints the selector's figures.
        data = annual_report_data(organisation=organisation, year=2024)
        html = render_html(data, language="en")
        summary = html[html.index('id="summary"') : html.index('id="trend"')]
        assert f"{inventory.total_t_co2e:,.1f}" in summary
        # Negative figures print with a true minus sign (U+2212).
        for pct in (
            inventory.change_vs_base_year_pct,
            inventory.change_vs_previous_year_pct,
        ):
            assert f"{pct:+.1f}\u00a0%".replace("-", "\u2212") in summary
        assert "Key messages" in summary

        # Every linked figure of the dashboard is what its entries add up to.
        member = organisation.memberships.filter(role="admin").first().user
        client.force_login(member)
        page = client.get(
            reverse("dashboard", kwargs={"org_slug": slug}) + "?year=2024"
        )
        figures = _figures(page.content.decode())
        assert set(figures) >= {"scope1", "scope3", "category", "unit", "activity"}
        for kind, links in figures.items():
            for href, shown in links:
                listed = client.get(href)
                assert listed.status_code == 200, href
                body = listed.content.decode()
                headline = kind in ("unit", "scope2_market", "total", "activity")
                key = "headline" if headline else "lines"
                if key == "headline" and 'data-total="headline"' not in body:
                    key = "lines"
                total = re.search(rf'data-total="{key}">([^<]+)<', body).group(1)
                assert total == shown, (slug, kind, href)
        assert (
            figure_totals(
                organisation=organisation, year=2024, units=None, scope=None
            ).headline_t
            is not None
            or organisation.scope2_headline != "market"
        )


def test_history_shows_numbers_and_units_as_people_write_them(org, two_units):
    line = ActivityEntry.objects.filter(organisation=org).order_by("pk").first()
    line.quantity = Decimal("544876.8")
    line.unit = "passenger_km"
    line.converted_quantity = Decimal("544876.8")
    line.save()
    with translation.override("nb"):
        html = render_to_string(
            "emissions/_history.html",
            {"history": history_for(ActivityEntry.objects.get(pk=line.pk))},
        )
    assert "544\u00a0876,8" in html
    assert "60\u00a0000" in html
    assert "personkm" in html
    assert "Mengde i faktorens måleenhet" in html
    assert "converted" not in html
    assert "0000000" not in html
    assert "passenger_km" not in html


def test_entry_page_shows_quantity_and_unit_as_people_write_them(
    client, org, viewer, two_units
):
    line = ActivityEntry.objects.filter(organisation=org).order_by("pk").first()
    line.quantity = Decimal("544876.8")
    line.unit = "passenger_km"
    line.save()
    client.force_login(viewer)
    client.cookies["django_language"] = "nb"
    body = client.get(_url(org, "entry_detail", pk=line.pk)).content.decode()
    assert "544\u00a0876,8 personkm" in body
    assert "|" not in re.sub(r"<[^>]+>", "", body)
    assert "544876.8000" not in body
    assert "passenger_km" not in body
