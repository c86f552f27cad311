from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.models import BusinessUnit, Organisation
from accounts.roles import Role


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


class OrganisationSettingsForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = [
            "name",
            "org_number",
            "country",
            "base_year",
            "consolidation_approach",
            "language",
            "scope2_headline",
            "include_wtt",
            "include_td_losses",
            "change_comment_threshold_pct",
            "allow_self_approval",
            "legal_name",
            "lei",
            "org_number_scheme",
            "reporting_currency",
        ]

    def clean_lei(self) -> str:
        return self.cleaned_data["lei"].replace(" ", "").upper()

    def clean_reporting_currency(self) -> str:
        return self.cleaned_data["reporting_currency"].strip().upper()


class BusinessUnitForm(forms.ModelForm):
    class Meta:
        model = BusinessUnit
        fields = [
            "code",
            "name",
            "country",
            "parent",
            "equity_share",
            "year_joined",
            "year_left",
            "ets_installation",
        ]

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        parents = organisation.business_units.all()
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents
        self.fields["country"].help_text = _("Two-letter ISO 3166 code, e.g. NO, SE.")

    def clean_country(self) -> str:
        country = self.cleaned_data["country"].strip().upper()
        if len(country) != 2 or not country.isalpha():
            raise forms.ValidationError(_("Use the two-letter ISO 3166 code, e.g. NO."))
        return country


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    expires_on = forms.DateField(
        label=_("Access expires on (auditors)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class MemberForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    expires_on = forms.DateField(
        label=_("Access expires on (auditors)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    business_units = forms.ModelMultipleChoiceField(
        label=_("Limited to business units"),
        queryset=BusinessUnit.objects.none(),
        required=False,
        help_text=_("Leave empty for every business unit."),
    )
    may_approve = forms.BooleanField(
        label=_("Named approver"),
        required=False,
        help_text=_(
            "An editor or viewer who may approve, return and unlock years, e.g. "
            "where the organisation has one administrator. Not for auditors or "
            "memberships limited to some business units."
        ),
    )

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["business_units"].queryset = organisation.business_units.all()


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)
