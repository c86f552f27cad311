"""The API's list filters, declared: validated, and shown in the OpenAPI schema.

A value that is not valid answers 400 with the field's message
(``{"errors": {"year": ["..."]}}``); an empty value is no filter. Numbers are
read as the pages read them (``carbonledger.lib.params``): plain ASCII digits
within range, nothing else that ``int()`` or ``Decimal()`` would accept.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from carbonledger.lib.params import MAX_ID, YEAR_MAX, YEAR_MIN, parse_int
from emissions.models import (
    ActivityEntry,
    CarbonCredit,
    ContractualInstrument,
    EmissionFactor,
    FactorSet,
    FactorSetKind,
    Metric,
)
from reports.models import GeneratedReport

NOT_A_NUMBER = _("Give a whole number from %(minimum)s to %(maximum)s, in digits 0-9.")


class WholeNumberField(forms.Field):
    """A whole number written in digits 0-9, from `minimum` to `maximum`."""

    def __init__(self, *, minimum: int = 0, maximum: int = MAX_ID, **kwargs):
        self.minimum, self.maximum = minimum, maximum
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        number = parse_int(value, minimum=self.minimum, maximum=self.maximum)
        if number is None:
            raise forms.ValidationError(
                NOT_A_NUMBER,
                code="invalid",
                params={"minimum": self.minimum, "maximum": self.maximum},
            )
        return number


class WholeNumberFilter(django_filters.Filter):
    """Filter by a whole number in range; the schema states the range."""

    field_class = WholeNumberField

    def __init__(self, *args, minimum: int = 0, maximum: int = MAX_ID, **kwargs):
        super().__init__(*args, minimum=minimum, maximum=maximum, **kwargs)
        schema = {"type": "integer", "minimum": minimum, "maximum": maximum}
        if self.label:
            schema["description"] = str(self.label)
        extend_schema_field(schema)(self)


def year_filter(field_name: str, label: str) -> WholeNumberFilter:
    return WholeNumberFilter(
        field_name=field_name, minimum=YEAR_MIN, maximum=YEAR_MAX, label=label
    )


def unit_filter(label: str = "Business unit code (exact).") -> django_filters.Filter:
    return django_filters.CharFilter(field_name="business_unit__code", label=label)


class EntryFilter(django_filters.FilterSet):
    year = year_filter("reporting_year__year", "Reporting year.")
    business_unit = unit_filter()
    scope = WholeNumberFilter(minimum=1, maximum=3, label="GHG scope (1-3).")
    activity = django_filters.CharFilter(
        field_name="activity_type__code", label="Activity type code."
    )

    class Meta:
        model = ActivityEntry
        fields: list[str] = []


class InstrumentFilter(django_filters.FilterSet):
    year = year_filter("reporting_year__year", "Reporting year.")
    business_unit = unit_filter()

    class Meta:
        model = ContractualInstrument
        fields: list[str] = []


class MetricFilter(django_filters.FilterSet):
    year = year_filter("reporting_year__year", "Reporting year.")
    business_unit = unit_filter()

    class Meta:
        model = Metric
        fields: list[str] = []


class CreditFilter(django_filters.FilterSet):
    year = year_filter("claimed_year__year", "The year the credits are claimed for.")

    class Meta:
        model = CarbonCredit
        fields: list[str] = []


class ReportFilter(django_filters.FilterSet):
    year = year_filter("year", "The year reported on.")
    business_unit = unit_filter()

    class Meta:
        model = GeneratedReport
        fields: list[str] = []


class FactorSetFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        choices=FactorSetKind.choices, label="Publisher kind."
    )
    year = year_filter("edition_year", "Edition year.")

    class Meta:
        model = FactorSet
        fields: list[str] = []


class FactorFilter(django_filters.FilterSet):
    key = django_filters.CharFilter(field_name="key", label="Factor key (exact).")
    q = django_filters.CharFilter(method="search", label="Text in the factor key.")

    class Meta:
        model = EmissionFactor
        fields: list[str] = []

    def search(self, queryset, name: str, value: str):
        # Keys are stored in lower case.
        return queryset.filter(key__icontains=value.lower())
