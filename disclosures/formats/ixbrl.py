"""Inline XBRL: the disclosure as an XHTML page with its facts tagged.

Every datapoint that has a VSME taxonomy concept and a value becomes a fact:
the concept's period type decides the context (the reporting year as a
duration, its last day as the instant), its data type the unit from the XBRL
units registry (tCO2e, MWh, the reporting currency, tCO2e per currency unit),
and the decimals are those the value is rounded to. Dimension members go into
the context's scenario, as the taxonomy's tables say. The entity is
identified by its LEI (scheme http://standards.iso.org/iso/17442) or else its
national register number (the ISO 6523 scheme in the OASIS ebCore party-id
URN). The schema reference is the taxonomy's entry point. Datapoints without
a concept (ESRS E1-5 and E1-6 beyond VSME) are shown untagged.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from lxml import etree

from disclosures.datapoints import (
    INTENSITY,
    MONEY,
    MWH,
    T_CO2E,
    TEXT,
    YEAR,
    Datapoint,
)
from disclosures.taxonomy import Taxonomy, taxonomy

XHTML = "http://www.w3.org/1999/xhtml"
IX = "http://www.xbrl.org/2013/inlineXBRL"
IXT = "http://www.xbrl.org/inlineXBRL/transformation/2020-02-12"
XBRLI = "http://www.xbrl.org/2003/instance"
XBRLDI = "http://xbrl.org/2006/xbrldi"
LINK = "http://www.xbrl.org/2003/linkbase"
XLINK = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

NO_IDENTIFIER = gettext_lazy(
    "Inline XBRL needs the organisation's identifier: add its LEI, or its "
    "organisation number and register, in the organisation settings."
)
NO_CURRENCY = gettext_lazy(
    "Turnover and intensities need the reporting currency in the organisation settings."
)

# The data type of a concept and the unit kind a datapoint must have.
DATA_TYPES = {
    "dtr-types:ghgEmissionsItemType": T_CO2E,
    "dtr-types:energyItemType": MWH,
    "xbrli:monetaryItemType": MONEY,
    "dtr-types:ghgEmissionsPerMonetaryItemType": INTENSITY,
    "xbrli:gYearItemType": YEAR,
    "dtr-types:textBlockItemType": TEXT,
    "xbrli:stringItemType": TEXT,
}
UNIT_IDS = {T_CO2E: "tCO2e", MWH: "MWh"}


def _q(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


class _Document:
    def __init__(self, disclosure, tax: Taxonomy):
        self.disclosure = disclosure
        self.tax = tax
        self.contexts: dict[tuple, str] = {}
        self.units: dict[str, str] = {}
        self.namespaces = {
            None: XHTML,
            "ix": IX,
            "ixt": IXT,
            "xbrli": XBRLI,
            "xbrldi": XBRLDI,
            "link": LINK,
            "xlink": XLINK,
            "iso4217": tax.namespaces.get(
                "iso4217", "http://www.xbrl.org/2003/iso4217"
            ),
            "utr": tax.namespaces.get("utr", "http://www.xbrl.org/2009/utr"),
            "vsme": tax.namespaces["vsme"],
        }
        self.prefix_of = {
            ns: prefix for prefix, ns in self.namespaces.items() if prefix
        }
        self.resources = None

    # --- contexts and units --------------------------------------------------

    def context(self, period_type: str, point: Datapoint) -> str:
        key = (period_type, point.member)
        if key in self.contexts:
            return self.contexts[key]
        context_id = f"c{len(self.contexts) + 1}"
        self.contexts[key] = context_id
        element = etree.SubElement(self.resources, _q(XBRLI, "context"), id=context_id)
        entity = etree.SubElement(element, _q(XBRLI, "entity"))
        identifier = self.disclosure.identifier
        etree.SubElement(
            entity, _q(XBRLI, "identifier"), scheme=identifier.scheme
        ).text = identifier.value
        period = etree.SubElement(element, _q(XBRLI, "period"))
        if period_type == "instant":
            etree.SubElement(
                period, _q(XBRLI, "instant")
            ).text = self.disclosure.period_end.isoformat()
        else:
            etree.SubElement(
                period, _q(XBRLI, "startDate")
            ).text = self.disclosure.period_start.isoformat()
            etree.SubElement(
                period, _q(XBRLI, "endDate")
            ).text = self.disclosure.period_end.isoformat()
        if point.member:
            scenario = etree.SubElement(element, _q(XBRLI, "scenario"))
            etree.SubElement(
                scenario, _q(XBRLDI, "explicitMember"), dimension=point.axis
            ).text = point.member
        return context_id

    def measure(self, unit_id: str) -> str:
        unit = self.tax.unit(unit_id)
        return f"{self.prefix_of[unit['nsUnit']]}:{unit_id}"

    def unit(self, kind: str) -> str:
        currency = self.disclosure.currency
        if kind in UNIT_IDS:
            key = UNIT_IDS[kind]
        elif kind == MONEY:
            key = currency
        else:
            key = f"tCO2e_per_{currency}"
        if key in self.units:
            return self.units[key]
        unit_id = f"u{len(self.units) + 1}"
        self.units[key] = unit_id
        element = etree.SubElement(self.resources, _q(XBRLI, "unit"), id=unit_id)
        if kind == INTENSITY:
            # The registry's "Emissions_per_Monetary": tCO2e over a currency.
            self.tax.unit("Emissions_per_Monetary")
            divide = etree.SubElement(element, _q(XBRLI, "divide"))
            top = etree.SubElement(divide, _q(XBRLI, "unitNumerator"))
            etree.SubElement(top, _q(XBRLI, "measure")).text = self.measure("tCO2e")
            bottom = etree.SubElement(divide, _q(XBRLI, "unitDenominator"))
            etree.SubElement(bottom, _q(XBRLI, "measure")).text = self.measure(currency)
        else:
            etree.SubElement(element, _q(XBRLI, "measure")).text = self.measure(key)
        return unit_id

    # --- facts --------------------------------------------------------------

    def fact(self, parent, point: Datapoint) -> None:
        concept = self.tax.concept(point.concept)
        expected = DATA_TYPES.get(concept.data_type)
        if expected != point.unit:
            raise ValueError(
                f"{point.key}: {concept.qname} is {concept.data_type}, not {point.unit}"
            )
        context_id = self.context(concept.period_type, point)
        value = point.rounded
        if point.unit in (TEXT, YEAR):
            element = etree.SubElement(
                parent,
                _q(IX, "nonNumeric"),
                name=point.concept,
                contextRef=context_id,
            )
            if point.unit == TEXT:
                element.set("escape", "false")
                if point.language:
                    element.set(_q(XML_NS, "lang"), point.language)
            element.text = str(value)
            return
        if point.unit in (MONEY, INTENSITY) and not self.disclosure.currency:
            raise ValidationError(NO_CURRENCY)
        element = etree.SubElement(
            parent,
            _q(IX, "nonFraction"),
            name=point.concept,
            contextRef=context_id,
            unitRef=self.unit(point.unit),
            decimals=str(point.decimals),
            format="ixt:num-dot-decimal",
        )
        if value < 0:
            element.set("sign", "-")
        element.text = format(abs(value), "f")


def _shown(point: Datapoint) -> str:
    if point.is_blank:
        return ""
    if isinstance(point.value, Decimal):
        return format(point.rounded, "f")
    return str(point.value)


UNIT_LABELS = {
    T_CO2E: "t CO2e",
    "tCO2": "t CO2",
    MWH: "MWh",
    "percent": "%",
}

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem;
  color: #1d2a33; line-height: 1.4; padding: 0 1rem; }
h1 { margin-bottom: 0.2rem; }
.status { display: inline-block; padding: 0.2rem 0.6rem; border-radius: 4px;
  font-weight: 600; background: #e3f1e6; }
.status.draft { background: #fde7c8; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.5rem; }
th, td { border-bottom: 1px solid #d8dee3; padding: 0.35rem 0.5rem;
  text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.note { color: #5b6770; font-size: 0.9em; }
.text { white-space: pre-line; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
dt { font-weight: 600; }
"""


def render_ixbrl(disclosure) -> bytes:
    """Return the disclosure as an inline XBRL (XHTML) document."""
    if disclosure.identifier is None:
        raise ValidationError(NO_IDENTIFIER)
    tax = taxonomy()
    doc = _Document(disclosure, tax)
    language = disclosure.language
    html = etree.Element(_q(XHTML, "html"), nsmap=doc.namespaces)
    html.set(_q(XML_NS, "lang"), language)
    head = etree.SubElement(html, _q(XHTML, "head"))
    etree.SubElement(
        head,
        _q(XHTML, "meta"),
        {"http-equiv": "Content-Type"},
        content="text/html; charset=UTF-8",
    )
    status = (
        _("Final (approved year)")
        if disclosure.final
        else _("DRAFT: the year is not approved")
    )
    title = _("%(name)s: sustainability disclosures %(year)s") % {
        "name": disclosure.legal_name,
        "year": disclosure.year,
    }
    etree.SubElement(head, _q(XHTML, "title")).text = (
        title if disclosure.final else f"{title} ({_('draft')})"
    )
    etree.SubElement(head, _q(XHTML, "style"), type="text/css").text = STYLE
    body = etree.SubElement(html, _q(XHTML, "body"))

    hidden = etree.SubElement(body, _q(XHTML, "div"), style="display: none")
    header = etree.SubElement(hidden, _q(IX, "header"))
    references = etree.SubElement(header, _q(IX, "references"))
    etree.SubElement(
        references,
        _q(LINK, "schemaRef"),
        {_q(XLINK, "type"): "simple", _q(XLINK, "href"): tax.entry_point},
    )
    doc.resources = etree.SubElement(header, _q(IX, "resources"))

    top = etree.SubElement(body, _q(XHTML, "div"), {"class": "cover"})
    etree.SubElement(top, _q(XHTML, "h1")).text = title
    etree.SubElement(
        top,
        _q(XHTML, "p"),
        {"class": "status" if disclosure.final else "status draft"},
    ).text = status
    facts = etree.SubElement(top, _q(XHTML, "dl"))
    identifier = disclosure.identifier
    for term, value in (
        (_("Legal name"), disclosure.legal_name),
        (_("Identifier"), f"{identifier.value} ({identifier.scheme})"),
        (
            _("Reporting period"),
            f"{disclosure.period_start:%Y-%m-%d} – {disclosure.period_end:%Y-%m-%d}",
        ),
        (_("Reporting currency"), disclosure.currency or "-"),
    ):
        etree.SubElement(facts, _q(XHTML, "dt")).text = term
        etree.SubElement(facts, _q(XHTML, "dd")).text = value

    for _code, section_title, points in disclosure.sections():
        section = etree.SubElement(body, _q(XHTML, "div"), {"class": "section"})
        etree.SubElement(section, _q(XHTML, "h2")).text = section_title
        table = etree.SubElement(section, _q(XHTML, "table"))
        for point in points:
            row = etree.SubElement(table, _q(XHTML, "tr"))
            etree.SubElement(row, _q(XHTML, "th")).text = point.label
            numeric = point.unit not in (TEXT, YEAR)
            cell = etree.SubElement(
                row, _q(XHTML, "td"), {"class": "num" if numeric else "text"}
            )
            if point.concept and not point.is_blank:
                doc.fact(cell, point)
            else:
                cell.text = _shown(point) or "–"
            unit = UNIT_LABELS.get(point.unit, "")
            if point.unit == MONEY:
                unit = disclosure.currency
            elif point.unit == INTENSITY:
                unit = f"t CO2e / {disclosure.currency}" if disclosure.currency else ""
            etree.SubElement(row, _q(XHTML, "td")).text = unit
            etree.SubElement(row, _q(XHTML, "td"), {"class": "note"}).text = point.note
    return etree.tostring(
        html, xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
