"""Number formatting by report language: rounding only here, at presentation."""

from decimal import ROUND_HALF_UP, Decimal

# Norwegian and Swedish group thousands with a (no-break) space and use a decimal
# comma; English uses a comma and a point.
_SEPARATORS = {"en": (",", "."), "nb": ("\u00a0", ","), "sv": ("\u00a0", ",")}


def number(value: Decimal | int | None, places: int = 1, language: str = "en") -> str:
    """Format a number with fixed decimals and the language's separators."""
    if value is None:
        return "–"
    quantum = Decimal(1).scaleb(-places)
    rounded = Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)
    sign = "-" if rounded < 0 else ""
    text = f"{abs(rounded):,.{places}f}"
    group, decimal = _SEPARATORS.get(language, _SEPARATORS["en"])
    text = text.replace(",", "\x00").replace(".", decimal).replace("\x00", group)
    return sign + text


def percent(value: Decimal | None, language: str = "en", places: int = 1) -> str:
    """Format a signed percentage."""
    if value is None:
        return "–"
    text = number(value, places, language)
    if value > 0:
        text = "+" + text
    return f"{text}\u00a0%"
