from django import forms
from django.utils.translation import gettext_lazy as _

from reports.models import ReportKind, ReportLanguage

# Every year together exists for the full inventory only, so it is offered as
# a report of its own rather than as a year every other report would refuse.
EVERY_YEAR_INVENTORY = "inventory_xlsx_every_year"


class ReportRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Report"),
        choices=[
            *ReportKind.choices,
            (
                EVERY_YEAR_INVENTORY,
                _("Full inventory for auditors, every year (Excel)"),
            ),
        ],
    )
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
        self.fields["year"].choices = [(y, str(y)) for y in years]
        whole = [("", _("Whole organisation"))] if whole_organisation else []
        self.fields["business_unit"].choices = whole + units
        self.fields["business_unit"].required = not whole_organisation

    def clean(self) -> dict:
        data = super().clean()
        if data.get("kind") == EVERY_YEAR_INVENTORY:
            data["kind"] = ReportKind.INVENTORY_XLSX
            data["year"] = None
        return data


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


class NarrativeForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"), choices=ReportLanguage.choices, widget=forms.HiddenInput
    )
    key_messages = forms.CharField(
        label=_("Key messages"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One message a paragraph; they open the report's summary."),
    )
    highlights = forms.CharField(
        label=_("Highlights of the year"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One highlight a line."),
    )
    actions = forms.CharField(
        label=_("Actions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the organisation does next, one action a line."),
    )


class ExclusionForm(forms.Form):
    category = forms.TypedChoiceField(label=_("Scope 3 category"), coerce=int)
    justification = forms.CharField(
        label=_("Justification"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why the category is not relevant, or not yet measured."),
    )

    def __init__(self, *args, categories: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = categories
