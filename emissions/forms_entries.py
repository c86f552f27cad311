"""Forms of the entry, evidence and year pages: they parse input, services decide."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from emissions.forms_fields import NumberField
from emissions.models import DataQuality, EvidenceKind


class EntryRowForm(forms.Form):
    """One row of the grid: a new entry of an activity type."""

    quantity = NumberField(label=_("Quantity"))
    unit = forms.ChoiceField(label=_("Unit"))
    data_quality = forms.ChoiceField(
        label=_("Data quality"),
        choices=DataQuality.choices,
        initial=DataQuality.MEASURED,
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)

    def __init__(self, *args, activity_type=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = list(activity_type.allowed_units) if activity_type else []
        self.fields["unit"].choices = [(u, u) for u in units]
        if activity_type is not None:
            self.fields["unit"].initial = activity_type.default_unit


class EntryEditForm(forms.Form):
    """The full edit form of the entry page; version guards against overwrites."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    quantity = NumberField(label=_("Quantity"))
    unit = forms.ChoiceField(label=_("Unit"))
    period_start = forms.DateField(
        label=_("Period start"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    period_end = forms.DateField(
        label=_("Period end"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    data_quality = forms.ChoiceField(
        label=_("Data quality"), choices=DataQuality.choices
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    source_reference = forms.CharField(
        label=_("Source reference"), required=False, max_length=200
    )

    def __init__(self, *args, activity_type=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = list(activity_type.allowed_units) if activity_type else []
        self.fields["unit"].choices = [(u, u) for u in units]


class EvidenceUploadForm(forms.Form):
    file = forms.FileField(label=_("File"))
    kind = forms.ChoiceField(
        label=_("Kind"), choices=EvidenceKind.choices, initial=EvidenceKind.INVOICE
    )
    title = forms.CharField(label=_("Title"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "PDF, image, spreadsheet, CSV, text or e-mail; at most %(limit)s."
        ) % {"limit": filesizeformat(settings.EVIDENCE_MAX_BYTES)}


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give a reason; it is kept in the history.")},
    )


class ApproveForm(forms.Form):
    """The approval's confirmation; the service decides what each case needs."""

    confirm_unverified = forms.BooleanField(
        label=_(
            "I approve the year with the unverified factors listed above; this "
            "is recorded in the year's history."
        ),
        required=False,
    )
    open_findings_reason = forms.CharField(
        label=_("Reason for approving with open findings"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the year's history and printed in the report."),
    )


class ChangeCommentsForm(forms.Form):
    """A comment per change of the readiness review, by the change's key."""

    def __init__(self, *args, changes, **kwargs):
        super().__init__(*args, **kwargs)
        for change in changes:
            self.fields[change.key] = forms.CharField(
                label=change.label,
                required=False,
                max_length=2000,
                initial=change.comment,
                widget=forms.Textarea(attrs={"rows": 2}),
            )


class EntryFilterForm(forms.Form):
    """The figure an entry list is filtered to: validated, never trusted."""

    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2100)
    unit = forms.ChoiceField(label=_("Business unit"), required=False, choices=())
    scope = forms.TypedChoiceField(
        label=_("Scope"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "–"), (1, "1"), (2, "2"), (3, "3")],
    )
    category = forms.TypedChoiceField(
        label=_("Scope 3 category"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "–")] + [(n, str(n)) for n in range(1, 16)],
    )
    activity = forms.ChoiceField(label=_("Activity"), required=False, choices=())
    evidence = forms.ChoiceField(
        label=_("Evidence"),
        required=False,
        choices=[("", _("With or without")), ("missing", _("Without evidence"))],
    )

    def __init__(
        self,
        *args,
        units: list[tuple[str, str]],
        activities: list[tuple[str, str]],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("All business units"))] + units
        self.fields["activity"].choices = [("", _("All activities"))] + activities
