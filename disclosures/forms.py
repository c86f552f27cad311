from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Language


class TransitionPlanForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    text = forms.CharField(
        label=_("Transition plan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "For undertakings in high climate impact sectors (VSME C3); an empty "
            "text removes the plan of that language."
        ),
    )
    adopted = forms.BooleanField(
        label=_("The plan is adopted"),
        required=False,
        initial=True,
        help_text=_("Leave unticked when its adoption is planned."),
    )
