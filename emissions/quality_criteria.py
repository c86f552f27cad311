"""The GHG Protocol Scope 2 Quality Criteria, checked for one contractual instrument.

The Scope 2 Guidance (2015, chapter 7, Table 7.1) lists what an instrument
must do for market-based scope 2 to rely on it. Four can be read from what the
register records:

- vintage: issued and redeemed as close as possible to the consumption;
- same market: sourced from the market the consuming operations are in;
- cancelled for this consumer: redeemed or cancelled by or for the reporter;
- not claimed elsewhere: the only instrument claiming that generation.

Each check answers met, not met or unknown (what it needs was not entered),
with the reason in words. Pure functions on plain values: no database; the
facts are gathered by ``emissions.selectors_instruments``.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

__all__ = [
    "CRITERIA",
    "CriterionCheck",
    "InstrumentFacts",
    "OtherClaim",
    "Outcome",
    "check_instrument",
    "market_of",
    "vintage_window",
]


class Outcome:
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


OUTCOME_LABELS = {
    Outcome.MET: gettext_lazy("met"),
    Outcome.NOT_MET: gettext_lazy("not met"),
    Outcome.UNKNOWN: gettext_lazy("unknown"),
}

# The vintage window around the reporting year: production from six months
# before it starts to three months after it ends still counts as close to the
# consumption. The Guidance names no number; this is the window commonly
# applied to energy attribute certificates (see docs/architecture.md).
WINDOW_MONTHS_BEFORE = 6
WINDOW_MONTHS_AFTER = 3

# Countries whose certificates are one market. Guarantees of origin are
# transferred between the registries of the AIB's members in the EECS
# electricity scheme; RECs between the United States and Canada. A country in
# no group is a market of its own.
MARKETS: dict[str, frozenset[str]] = {
    "EECS": frozenset(
        {
            "AT",
            "BE",
            "CH",
            "CY",
            "CZ",
            "DE",
            "DK",
            "EE",
            "ES",
            "FI",
            "FR",
            "GR",
            "HR",
            "HU",
            "IE",
            "IS",
            "IT",
            "LT",
            "LU",
            "LV",
            "NL",
            "NO",
            "PT",
            "RS",
            "SE",
            "SI",
            "SK",
        }
    ),  # fmt: skip
    "NA": frozenset({"US", "CA"}),
}
MARKET_NAMES = {
    "EECS": gettext_lazy("the European market for guarantees of origin (AIB, EECS)"),
    "NA": gettext_lazy("the North American market for RECs"),
}

# Company-form words left out when a beneficiary is compared with a name.
_LEGAL_FORMS = frozenset(
    {"as", "asa", "ab", "publ", "oy", "oyj", "aps", "gmbh", "ag", "ltd",
     "limited", "plc", "inc", "bv", "nv"}
)  # fmt: skip
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class OtherClaim:
    """Another instrument claiming some of the same certificates."""

    same_organisation: bool
    # Whether the reader may see it (the organisation's, in a unit they read).
    readable: bool
    unit: str = ""
    year: int | None = None
    instrument: str = ""


@dataclass(frozen=True)
class InstrumentFacts:
    """What the checks read about one instrument and its consumer."""

    year: int
    consumption_country: str
    production_country: str = ""
    production_start: datetime.date | None = None
    production_end: datetime.date | None = None
    cancellation_date: datetime.date | None = None
    beneficiary: str = ""
    organisation_name: str = ""
    organisation_number: str = ""
    unit_code: str = ""
    unit_name: str = ""
    # The certificate id or range as entered ("" when none was).
    certificates: str = ""
    other_claim: OtherClaim | None = None


@dataclass(frozen=True)
class CriterionCheck:
    criterion: str
    outcome: str
    reason: str

    @property
    def label(self) -> str:
        return str(CRITERIA[self.criterion][0])

    @property
    def outcome_label(self) -> str:
        return str(OUTCOME_LABELS[self.outcome])

    @property
    def met(self) -> bool:
        return self.outcome == Outcome.MET

    @property
    def failed(self) -> bool:
        return self.outcome == Outcome.NOT_MET


def _add_months(day: datetime.date, months: int) -> datetime.date:
    """Return the first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def vintage_window(year: int) -> tuple[datetime.date, datetime.date]:
    """Return the first and last day of production close to a reporting year."""
    start = _add_months(datetime.date(year, 1, 1), -WINDOW_MONTHS_BEFORE)
    end = _add_months(datetime.date(year, 12, 1), WINDOW_MONTHS_AFTER + 1)
    return start, end - datetime.timedelta(days=1)


def check_vintage(facts: InstrumentFacts, today: datetime.date) -> CriterionCheck:
    """Met when production overlaps the year or lies within the window around it."""
    start = facts.production_start or facts.production_end
    end = facts.production_end or facts.production_start
    if start is None or end is None:
        return CriterionCheck(
            "vintage", Outcome.UNKNOWN, _("No production period entered.")
        )
    first, last = vintage_window(facts.year)
    params = {
        "start": f"{start:%Y-%m-%d}",
        "end": f"{end:%Y-%m-%d}",
        "year": facts.year,
        "first": f"{first:%Y-%m-%d}",
        "last": f"{last:%Y-%m-%d}",
    }
    if start.year <= facts.year <= end.year:
        return CriterionCheck(
            "vintage",
            Outcome.MET,
            _("Produced %(start)s to %(end)s, overlapping %(year)s.") % params,
        )
    if first <= start and end <= last:
        return CriterionCheck(
            "vintage",
            Outcome.MET,
            _(
                "Produced %(start)s to %(end)s, within the window around "
                "%(year)s (%(first)s to %(last)s)."
            )
            % params,
        )
    return CriterionCheck(
        "vintage",
        Outcome.NOT_MET,
        _(
            "Produced %(start)s to %(end)s: outside %(year)s and the window "
            "around it (%(first)s to %(last)s)."
        )
        % params,
    )


def market_of(country: str) -> str:
    """Return the market a country's certificates belong to (its code if none)."""
    country = country.upper()
    for market, countries in MARKETS.items():
        if country in countries:
            return market
    return country


def check_same_market(facts: InstrumentFacts, today: datetime.date) -> CriterionCheck:
    """Met when production and consumption are in the same market."""
    produced, consumed = facts.production_country, facts.consumption_country
    if not produced:
        return CriterionCheck(
            "same_market", Outcome.UNKNOWN, _("No production country entered.")
        )
    if not consumed:
        return CriterionCheck(
            "same_market", Outcome.UNKNOWN, _("The business unit has no country.")
        )
    params = {"produced": produced, "consumed": consumed}
    if produced.upper() == consumed.upper():
        return CriterionCheck(
            "same_market",
            Outcome.MET,
            _("Produced and consumed in %(produced)s.") % params,
        )
    market = market_of(produced)
    if market == market_of(consumed) and market in MARKET_NAMES:
        return CriterionCheck(
            "same_market",
            Outcome.MET,
            _("Produced in %(produced)s, consumed in %(consumed)s: both in %(market)s.")
            % {**params, "market": MARKET_NAMES[market]},
        )
    return CriterionCheck(
        "same_market",
        Outcome.NOT_MET,
        _(
            "Produced in %(produced)s, consumed in %(consumed)s: not the same "
            "market for certificates."
        )
        % params,
    )


def _words(text: str) -> list[str]:
    words = _WORD.findall(text.casefold().replace("a/s", "as"))
    return [word for word in words if word not in _LEGAL_FORMS]


def names_consumer(facts: InstrumentFacts) -> bool:
    """Return whether the beneficiary names the organisation or the unit.

    Compared word by word, without company forms (AS, AB, Oy ...): the
    organisation's name, the unit's name or code, the organisation's name
    followed by the unit's, or the organisation number anywhere.
    """
    beneficiary = _words(facts.beneficiary)
    if not beneficiary:
        return False
    organisation = _words(facts.organisation_name)
    units = [
        words for words in (_words(facts.unit_name), _words(facts.unit_code)) if words
    ]
    if beneficiary == organisation or beneficiary in units:
        return True
    if (
        organisation
        and beneficiary[: len(organisation)] == organisation
        and beneficiary[len(organisation) :] in units
    ):
        return True
    number = "".join(ch for ch in facts.organisation_number if ch.isdigit())
    digits = "".join(ch for ch in facts.beneficiary if ch.isdigit())
    return len(number) >= 6 and number in digits


def check_cancelled(facts: InstrumentFacts, today: datetime.date) -> CriterionCheck:
    """Met when cancelled (in the past) for the organisation or the unit."""
    beneficiary = facts.beneficiary.strip()
    cancelled = facts.cancellation_date
    if beneficiary and not names_consumer(facts):
        return CriterionCheck(
            "cancelled",
            Outcome.NOT_MET,
            _(
                "Cancelled for %(beneficiary)s, which names neither %(organisation)s "
                "nor %(unit)s."
            )
            % {
                "beneficiary": beneficiary,
                "organisation": facts.organisation_name,
                "unit": facts.unit_name or facts.unit_code,
            },
        )
    if cancelled is not None and cancelled > today:
        return CriterionCheck(
            "cancelled",
            Outcome.NOT_MET,
            _("The cancellation date %(date)s has not come yet.")
            % {"date": f"{cancelled:%Y-%m-%d}"},
        )
    if cancelled is None and not beneficiary:
        reason = _("No cancellation date or beneficiary entered.")
    elif cancelled is None:
        reason = _("No cancellation date entered.")
    elif not beneficiary:
        reason = _("No beneficiary entered.")
    else:
        return CriterionCheck(
            "cancelled",
            Outcome.MET,
            _("Cancelled on %(date)s for %(beneficiary)s.")
            % {"date": f"{cancelled:%Y-%m-%d}", "beneficiary": beneficiary},
        )
    return CriterionCheck("cancelled", Outcome.UNKNOWN, reason)


def check_unique(facts: InstrumentFacts, today: datetime.date) -> CriterionCheck:
    """Met when no other instrument on the installation claims its certificates."""
    if not facts.certificates:
        return CriterionCheck(
            "unique",
            Outcome.UNKNOWN,
            _("No certificate id or range entered: the register cannot check it."),
        )
    other = facts.other_claim
    params = {"certificates": facts.certificates}
    if other is None:
        return CriterionCheck(
            "unique",
            Outcome.MET,
            _("No other claim of %(certificates)s on this installation.") % params,
        )
    if not other.same_organisation:
        reason = _(
            "%(certificates)s is also claimed by another organisation on this "
            "installation."
        )
    elif not other.readable:
        reason = _(
            "%(certificates)s is also claimed for another business unit of this "
            "organisation."
        )
    else:
        reason = _(
            "%(certificates)s is also claimed for %(unit)s in %(year)s "
            "(%(instrument)s)."
        )
        params.update(unit=other.unit, year=other.year, instrument=other.instrument)
    return CriterionCheck("unique", Outcome.NOT_MET, reason % params)


Check = Callable[[InstrumentFacts, datetime.date], CriterionCheck]

# The criteria in the order they are shown: code -> (name, check).
CRITERIA: dict[str, tuple[str, Check]] = {
    "vintage": (gettext_lazy("Vintage close to the consumption"), check_vintage),
    "same_market": (gettext_lazy("Same market as the consumption"), check_same_market),
    "cancelled": (gettext_lazy("Cancelled for this consumer"), check_cancelled),
    "unique": (gettext_lazy("Not claimed elsewhere"), check_unique),
}


def check_instrument(
    facts: InstrumentFacts, *, today: datetime.date
) -> tuple[CriterionCheck, ...]:
    """Return each criterion's outcome for one instrument, in CRITERIA order."""
    return tuple(check(facts, today) for _name, check in CRITERIA.values())
