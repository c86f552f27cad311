"""Numbers and units as readers see them: rounding only here, at presentation.

The one formatter of figures shown as text, on pages, in the PDF, in charts
and in the change history: grouped thousands and the decimal sign of the
reader's language, a true minus sign (U+2212) for negative figures, units by
their name in that language, never a stored code (`kWh_gross`,
`passenger_km`) or a stored scale (`3.5000000000`). Workbooks and CSV files
keep figures as numbers (`carbonledger.lib.spreadsheets` gives them a
display format); only their labels come from here.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

# The minus sign of typeset text; a hyphen-minus is what a keyboard types.
MINUS = "\u2212"
# Norwegian and Swedish group thousands with a (no-break) space and use a decimal
# comma; English uses a comma and a point.
_SEPARATORS = {"en": (",", "."), "nb": ("\u00a0", ","), "sv": ("\u00a0", ",")}


def active_language() -> str:
    """Return the active language's code as the formatter knows it."""
    return (get_language() or "en")[:2]


def _group(text: str, language: str) -> str:
    group, decimal = _SEPARATORS.get(language, _SEPARATORS["en"])
    return text.replace(",", "\x00").replace(".", decimal).replace("\x00", group)


def number(value: Decimal | int | None, places: int = 1, language: str = "en") -> str:
    """Format a number with fixed decimals and the language's separators."""
    if value is None:
        return "–"
    quantum = Decimal(1).scaleb(-places)
    rounded = Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)
    sign = MINUS if rounded < 0 else ""
    text = f"{abs(rounded):,.{places}f}"
    return sign + _group(text, language)


def plain_number(value: Decimal | int | float | None, language: str = "en") -> str:
    """Format a stored number in full, without the padding zeros of its column.

    `Decimal("544876.8000")` reads 544,876.8 in English and 544 876,8 in
    Norwegian and Swedish; a factor keeps every published digit.
    """
    if value is None or value == "":
        return "–"
    try:
        decimal = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return str(value)
    normal = decimal.normalize()
    if normal == 0:
        return "0"
    places = max(0, -normal.as_tuple().exponent)
    return number(normal, places, language)


def rounded_number(
    value: Decimal | int | None, max_places: int, language: str = "en"
) -> str:
    """Format a number with at most `max_places` decimals, no padding zeros."""
    if value is None:
        return "–"
    quantum = Decimal(1).scaleb(-max_places)
    return plain_number(
        Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP), language
    )


def percent(value: Decimal | None, language: str = "en", places: int = 1) -> str:
    """Format a signed percentage."""
    if value is None:
        return "–"
    text = number(value, places, language)
    if value > 0:
        text = "+" + text
    return f"{text}\u00a0%"


# The names of the stored unit codes (emissions.units) in the reader's language.
# Short symbols that read the same in every language (kWh, kg, km) are not here.
UNIT_NAMES = {
    "kWh_gross": _("kWh (gross calorific value)"),
    "MWh_gross": _("MWh (gross calorific value)"),
    "GJ_gross": _("GJ (gross calorific value)"),
    "kWh_net": _("kWh (net calorific value)"),
    "MWh_net": _("MWh (net calorific value)"),
    "GJ_net": _("GJ (net calorific value)"),
    "litre": pgettext_lazy("unit of measure", "litre"),
    "m3": "m³",
    "million_litres": pgettext_lazy("unit of measure", "million litres"),
    "US_gallon": pgettext_lazy("unit of measure", "US gallon"),
    "scf": pgettext_lazy("unit of measure", "standard cubic foot"),
    "ccf": pgettext_lazy("unit of measure", "hundred standard cubic feet"),
    "tonne": pgettext_lazy("unit of measure", "tonne"),
    "short_ton": pgettext_lazy("unit of measure", "short ton"),
    "mile": pgettext_lazy("unit of measure", "mile"),
    "passenger_km": pgettext_lazy("unit of measure", "passenger-km"),
    "passenger_mile": pgettext_lazy("unit of measure", "passenger-mile"),
    "vehicle_km": pgettext_lazy("unit of measure", "vehicle-km"),
    "vehicle_mile": pgettext_lazy("unit of measure", "vehicle-mile"),
    "tonne_km": pgettext_lazy("unit of measure", "tonne-km"),
    "short_ton_mile": pgettext_lazy("unit of measure", "short ton-mile"),
    "room_night": pgettext_lazy("unit of measure", "room-night"),
    "fte_hour": pgettext_lazy("unit of measure", "FTE hour"),
    "unit": pgettext_lazy("unit of measure", "piece"),
    "server_year": pgettext_lazy("unit of measure", "server-year"),
}


def unit_name(code: str | None) -> str:
    """Return a unit of measure as the reader's language names it."""
    if not code:
        return ""
    return str(UNIT_NAMES.get(code, code))


# The Kyoto gases and groups as the reader's language writes them.
GAS_NAMES = {
    "HFCs": pgettext_lazy("greenhouse gas group", "HFCs"),
    "PFCs": pgettext_lazy("greenhouse gas group", "PFCs"),
}


def gas_name(code: str | None) -> str:
    """Return a Kyoto gas or group as the reader's language writes it."""
    if not code:
        return ""
    return str(GAS_NAMES.get(code, code))


def country_name(code: str, language: str) -> str:
    """Return a country's name in a language (the code where Babel has none)."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(language).territories.get(code.upper(), code)
    except (UnknownLocaleError, ValueError):
        return code
