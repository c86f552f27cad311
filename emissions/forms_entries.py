"""Forms of the entry, evidence and year pages: they parse input, services decide."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _

from emissions.importing.values import AMBIGUOUS_NUMBER, parse_number
from emissions.models import DataQuality, EvidenceKind


class QuantityField(forms.CharField):
    """Kept as text: the service parses it into a Decimal and explains mistakes."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 60)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value):
        """Return the number as plain text ("12500.5"), in the page's notation.

        "12 500,5", "12.500,5" and "12,500.5" are all read; "1,250" and
        "1.250" are read with the decimal sign of the page's language and
        refused when that sign is the other one (they could be a thousand
        times apart). Text that is no number is passed on for the service to
        explain, with a decimal comma made a point as before.
        """
        value = super().to_python(value)
        if not value:
            return value
        try:
            return str(parse_number(value, get_format("DECIMAL_SEPARATOR")))
        except ValidationError as exc:
            if exc.code == AMBIGUOUS_NUMBER:
                raise ValidationError(
                    _(
                        "“%(value)s” could mean %(decimal)s or %(thousands)s: "
                        "write %(thousands)s (or %(spaced)s), or %(decimal)s."
                    ),
                    code=AMBIGUOUS_NUMBER,
                    params=exc.params,
                ) from None
            return value.replace(",", ".")


class EntryRowForm(forms.Form):
    """One row of the grid: a new entry of an activity type."""

    quantity = QuantityField(label=_("Quantity"))
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
    quantity = QuantityField(label=_("Quantity"))
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
