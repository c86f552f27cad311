from django import forms
from django.utils.translation import gettext_lazy as _

from emissions.forms_fields import NumberField
from emissions.models import InstrumentKind, MetricKind, RecalculationReason
from emissions.services.records import CREDIT_STANDARDS

DATE = forms.DateInput(attrs={"type": "date"})


class InstrumentForm(forms.Form):
    business_unit = forms.ChoiceField(label=_("Business unit"))
    year = forms.IntegerField(label=_("Year"))
    kind = forms.ChoiceField(label=_("Kind"), choices=InstrumentKind.choices)
    mwh = NumberField(label=_("MWh covered"))
    kg_co2e_per_kwh = NumberField(
        label=_("kg CO2e per kWh"), initial="0", help_text=_("0 for renewable sources.")
    )
    energy_source = forms.CharField(label=_("Energy source"), required=False)
    supplier = forms.CharField(label=_("Supplier"), required=False)
    certificate_ids = forms.CharField(
        label=_("Certificate numbers"),
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )
    scheme = forms.CharField(
        label=_("Scheme and registry"),
        required=False,
        max_length=200,
        help_text=_("e.g. EECS, Statnett GO registry (NO) or Cesar (SE)"),
    )
    certificate_first = forms.CharField(
        label=_("First certificate id"),
        required=False,
        max_length=100,
        help_text=_(
            "A certificate or range is claimed once on the installation; a "
            "second claim is refused."
        ),
    )
    certificate_last = forms.CharField(
        label=_("Last certificate id"),
        required=False,
        max_length=100,
        help_text=_("Empty for a single certificate or a cancellation id."),
    )
    production_device = forms.CharField(
        label=_("Production device"), required=False, max_length=200
    )
    production_country = forms.CharField(
        label=_("Production country"), required=False, max_length=2
    )
    technology = forms.CharField(label=_("Technology"), required=False, max_length=100)
    production_start = forms.DateField(label=_("Production from"), required=False)
    production_end = forms.DateField(label=_("Production until"), required=False)
    cancellation_date = forms.DateField(label=_("Cancellation date"), required=False)
    beneficiary = forms.CharField(
        label=_("Beneficiary"), required=False, max_length=200
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["business_unit"].choices = units


def with_version(form_class: type[forms.Form]) -> type[forms.Form]:
    """Return the form with the hidden version a correction must match."""
    return type(
        f"{form_class.__name__}WithVersion",
        (form_class,),
        {"version": forms.IntegerField(widget=forms.HiddenInput, min_value=1)},
    )


class CreditForm(forms.Form):
    year = forms.IntegerField(label=_("Year claimed for"))
    tonnes = NumberField(label=_("Tonnes CO2e"))
    standard = forms.ChoiceField(
        label=_("Standard"), choices=[(s, s) for s in CREDIT_STANDARDS]
    )
    project = forms.CharField(label=_("Project"), max_length=300)
    vintage = forms.IntegerField(label=_("Vintage"))
    retirement_date = forms.DateField(label=_("Retirement date"), widget=DATE)
    registry = forms.CharField(label=_("Registry"), required=False)
    serial_numbers = forms.CharField(
        label=_("Serial numbers"), required=False, widget=forms.Textarea({"rows": 2})
    )


class MetricForm(forms.Form):
    business_unit = forms.ChoiceField(label=_("Business unit"))
    year = forms.IntegerField(label=_("Year"))
    kind = forms.ChoiceField(label=_("Kind"), choices=MetricKind.choices)
    name = forms.CharField(label=_("Name (own metrics)"), required=False)
    unit = forms.CharField(
        label=_("Unit"), required=False, help_text=_("E.g. FTE, MNOK, MSEK, m².")
    )
    value = NumberField(label=_("Value"))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["business_unit"].choices = units


class TargetForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    scopes = forms.ChoiceField(
        label=_("Scopes"), choices=[("1", "1"), ("1+2", "1+2"), ("1+2+3", "1+2+3")]
    )
    base_year = forms.IntegerField(label=_("Base year"))
    target_year = forms.IntegerField(label=_("Target year"))
    reduction_pct = NumberField(label=_("Reduction %"))
    net_zero_year = forms.IntegerField(label=_("Net-zero year"), required=False)


class RecalculationForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=RecalculationReason.choices)
    business_unit = forms.ChoiceField(
        label=_("Business unit"),
        required=False,
        help_text=_(
            "The unit acquired or divested, or whose figures a correction changes."
        ),
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea({"rows": 3})
    )
    effective_date = forms.DateField(label=_("Date"), widget=DATE)
    scope1_t = NumberField(label=_("Scope 1 (t)"), initial="0")
    scope2_location_t = NumberField(label=_("Scope 2 location-based (t)"), initial="0")
    scope2_market_t = NumberField(label=_("Scope 2 market-based (t)"), initial="0")
    scope3_t = NumberField(label=_("Scope 3 (t)"), initial="0")

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["business_unit"].choices = [
            ("", _("Not allocated to a unit (whole organisation)"))
        ] + units


class FindingForm(forms.Form):
    text = forms.CharField(label=_("Finding"), widget=forms.Textarea({"rows": 3}))


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea({"rows": 3}))
