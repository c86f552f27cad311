from django import forms
from django.utils.translation import gettext_lazy as _

from reports.models import ReportKind


class ReportRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Report"), choices=ReportKind.choices)
    # No year: every year, for the full inventory for auditors.
    year = forms.TypedChoiceField(
        label=_("Year"), coerce=int, choices=(), required=False, empty_value=None
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[
            ("en", _("English")),
            ("nb", _("Norwegian Bokmål")),
            ("sv", _("Swedish")),
        ],
    )
    business_unit = forms.ChoiceField(
        label=_("Business unit"), required=False, choices=()
    )

    def __init__(
        self,
        *args,
        years: list[int],
        units: list[tuple[str, str]],
        whole_organisation: bool = True,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years] + [
            ("", _("Every year (full inventory for auditors)"))
        ]
        whole = [("", _("Whole organisation"))] if whole_organisation else []
        self.fields["business_unit"].choices = whole + units
        self.fields["business_unit"].required = not whole_organisation


class DashboardFilterForm(forms.Form):
    year = forms.TypedChoiceField(
        label=_("Year"), coerce=int, choices=(), required=False
    )
    unit = forms.ChoiceField(label=_("Business unit"), required=False, choices=())

    def __init__(
        self,
        *args,
        years: list[int],
        units: list[tuple[str, str]],
        whole_organisation: bool = True,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]
        whole = [("", _("All business units"))] if whole_organisation else []
        self.fields["unit"].choices = whole + units
