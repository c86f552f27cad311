import re
from decimal import Decimal

import django.core.validators
from django.db import migrations, models

# How the server-energy type's PUE was read from its description until it
# became a field ("PUE 1.4", "PUE=1.25", "pue: 2").
PUE_IN_TEXT = re.compile(r"\bPUE\s*[=:]?\s*(\d+(?:\.\d+)?)", re.IGNORECASE)
FIELD_LIMIT = Decimal("1000")
FIELD_PLACES = Decimal("0.0001")


def pue_from_description(apps, schema_editor):
    """Copy the PUE written in a server-energy type's description into the field.

    Only the types whose lines read it (computed, code server_energy) get one,
    so every figure stays as it was; the description keeps its text.
    """
    ActivityType = apps.get_model("emissions", "ActivityType")
    types = ActivityType.objects.filter(factor_source="computed", code="server_energy")
    for activity_type in types:
        match = PUE_IN_TEXT.search(activity_type.description or "")
        if match is None:
            continue
        pue = Decimal(match.group(1))
        if pue >= FIELD_LIMIT or pue != pue.quantize(FIELD_PLACES):
            raise ValueError(
                f"The PUE {match.group(1)} in the description of activity type "
                f"{activity_type.pk} ({activity_type.code}) does not fit the new "
                "field (below 1000, at most four decimals): correct the "
                "description and migrate again."
            )
        activity_type.pue = pue
        activity_type.save(update_fields=["pue"])


class Migration(migrations.Migration):
    dependencies = [
        ("emissions", "0011_grid_factor_provenance_residual_mix_and_go_register"),
    ]

    operations = [
        migrations.AddField(
            model_name="activitytype",
            name="pue",
            field=models.DecimalField(
                blank=True,
                decimal_places=4,
                help_text=(
                    "Server energy: the data centre's power usage effectiveness, "
                    "by which the IT load is multiplied. Empty: 1.5."
                ),
                max_digits=7,
                null=True,
                validators=[django.core.validators.MinValueValidator(Decimal("1"))],
                verbose_name="PUE",
            ),
        ),
        migrations.RunPython(pue_from_description, migrations.RunPython.noop),
    ]
