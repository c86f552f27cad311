from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import GwpSet, Organisation


class FactorSetKind(models.TextChoices):
    DESNZ = "desnz", _("UK DESNZ / BEIS conversion factors")
    EPA = "epa", _("US EPA GHG Emission Factors Hub")
    CURATED = "curated", _("Curated grid and district-heating factors")
    GENERIC = "generic", _("Own factors (generic layout)")
    GRID = "grid", _("Grid and district-heating factors (grid-factor file)")


class GasBasis(models.TextChoices):
    CO2E = "co2e", _("Per-gas figures in kg CO2e")
    MASS = "mass", _("Per-gas figures in kg of the gas")


class GasesCovered(models.TextChoices):
    """Which greenhouse gases a grid or residual-mix figure counts."""

    CO2 = "co2", _("CO2 only")
    CO2E = "co2e", _("CO2e (all greenhouse gases)")


class FactorCheck(models.TextChoices):
    """How a factor's value was checked against its publication."""

    SOURCE = "source", _("Checked in the publisher's own text or file")
    SECONDARY = "secondary", _("Checked against a copy of the publication")
    UPLOADED = "uploaded", _("Loaded from a file by an administrator")
    UNVERIFIED = "unverified", _("Unverified: not checked against the publication")
    WITHDRAWN = "withdrawn", _("Withdrawn: no longer shipped, could not be checked")


# A factor shown, and confirmed at approval, as not checked.
UNCHECKED = (FactorCheck.UNVERIFIED, FactorCheck.WITHDRAWN)


class ResidualMix(models.TextChoices):
    """Publications of a country's residual mix an organisation can report with."""

    AIB = "aib", _("AIB European Residual Mixes (national figure)")
    NORDIC = "nordic", _("Nordic residual mix (Energimarknadsinspektionen, Sweden)")
    NATIONAL = (
        "national",
        _("The national authority's residual mix (NVE, Energiavirasto)"),
    )


# The residual mix used until an organisation chooses: the AIB's, except in
# Norway, where the AIB publishes none and NVE's varedeklarasjon is the figure.
DEFAULT_RESIDUAL_MIX = {"NO": ResidualMix.NATIONAL}


def default_residual_mix(country: str) -> str:
    return DEFAULT_RESIDUAL_MIX.get(country.upper(), ResidualMix.AIB)


class FactorSet(models.Model):
    """A published table of emission factors, global or private to one organisation."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="factor_sets",
        help_text=_("Empty for a global set shared, read-only, by every organisation."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=FactorSetKind.choices)
    publisher = models.CharField(_("publisher"), max_length=200)
    name = models.CharField(_("name"), max_length=200)
    edition_year = models.PositiveSmallIntegerField(_("edition year"))
    version = models.CharField(_("version"), max_length=40, blank=True)
    region = models.CharField(_("region"), max_length=60, blank=True)
    source_url = models.URLField(_("source URL"), max_length=500, blank=True)
    licence = models.CharField(_("licence"), max_length=200, blank=True)
    gwp_basis = models.CharField(
        _("GWP basis"), max_length=3, choices=GwpSet.choices, default=GwpSet.AR5
    )
    checksum_sha256 = models.CharField(_("file SHA-256"), max_length=64, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "-edition_year", "name"]
        verbose_name = _("factor set")
        verbose_name_plural = _("factor sets")
        indexes = [models.Index(fields=["kind", "edition_year"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.edition_year})"

    @property
    def is_global(self) -> bool:
        return self.organisation_id is None


class EmissionFactor(models.Model):
    """One row of a factor set: kg CO2e per unit of activity (and per gas)."""

    factor_set = models.ForeignKey(
        FactorSet, on_delete=models.CASCADE, related_name="factors"
    )
    key = models.CharField(_("key"), max_length=400)
    scope_label = models.CharField(_("scope"), max_length=60, blank=True)
    level1 = models.CharField(_("level 1"), max_length=200, blank=True)
    level2 = models.CharField(_("level 2"), max_length=200, blank=True)
    level3 = models.CharField(_("level 3"), max_length=200, blank=True)
    level4 = models.CharField(_("level 4"), max_length=200, blank=True)
    column_text = models.CharField(_("column text"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=30)
    unit_label = models.CharField(_("unit as published"), max_length=60, blank=True)
    co2e = models.DecimalField(
        _("kg CO2e per unit"), max_digits=30, decimal_places=15, null=True, blank=True
    )
    # Gas code -> Decimal as a string; the basis says kg of the gas or kg CO2e.
    gases = models.JSONField(_("per-gas values"), default=dict, blank=True)
    gas_basis = models.CharField(
        _("per-gas basis"),
        max_length=4,
        choices=GasBasis.choices,
        default=GasBasis.CO2E,
    )
    source_note = models.TextField(_("source"), blank=True)
    # Provenance of a grid, residual-mix or district-heating figure.
    publication = models.CharField(_("publication"), max_length=300, blank=True)
    edition = models.CharField(_("edition"), max_length=200, blank=True)
    table_or_page = models.CharField(_("table or page"), max_length=300, blank=True)
    source_url = models.URLField(_("source URL"), max_length=500, blank=True)
    gases_covered = models.CharField(
        _("gases counted"), max_length=4, choices=GasesCovered.choices, blank=True
    )
    verification = models.CharField(
        _("how it was checked"), max_length=10, choices=FactorCheck.choices, blank=True
    )
    verification_note = models.TextField(_("check note"), blank=True)

    class Meta:
        ordering = ["factor_set", "level1", "level2", "level3", "level4", "column_text"]
        verbose_name = _("emission factor")
        verbose_name_plural = _("emission factors")
        constraints = [
            models.UniqueConstraint(
                fields=["factor_set", "key"], name="emission_factor_key_unique"
            )
        ]

    def __str__(self) -> str:
        return self.path_label

    @property
    def is_unverified(self) -> bool:
        return self.verification in UNCHECKED

    @property
    def path_label(self) -> str:
        parts = [self.level1, self.level2, self.level3, self.level4, self.column_text]
        return " › ".join(p for p in parts if p) + f" [{self.unit_label or self.unit}]"


class FactorPreference(models.Model):
    """Which publisher's global sets an organisation's published factors come from."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="factor_preference"
    )
    kind = models.CharField(
        _("publisher"),
        max_length=10,
        choices=[
            (FactorSetKind.DESNZ, FactorSetKind.DESNZ.label),
            (FactorSetKind.EPA, FactorSetKind.EPA.label),
        ],
        default=FactorSetKind.DESNZ,
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("factor preference")
        verbose_name_plural = _("factor preferences")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.kind}"


class ResidualMixChoice(models.Model):
    """Which publication of a country's residual mix an organisation reports with."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="residual_mix_choices"
    )
    country = models.CharField(_("country"), max_length=2)
    mix = models.CharField(
        _("residual mix"), max_length=10, choices=ResidualMix.choices
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation", "country"]
        verbose_name = _("residual-mix choice")
        verbose_name_plural = _("residual-mix choices")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "country"], name="residual_mix_choice_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.country} {self.mix}"


class FactorOverride(models.Model):
    """An organisation's own factor that replaces the published one for a type."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="factor_overrides"
    )
    activity_type = models.ForeignKey(
        "emissions.ActivityType", on_delete=models.CASCADE, related_name="+"
    )
    factor = models.ForeignKey(
        EmissionFactor, on_delete=models.PROTECT, related_name="overrides"
    )
    business_unit = models.ForeignKey(
        "accounts.BusinessUnit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for every business unit."),
    )
    from_year = models.PositiveSmallIntegerField(
        _("from year"),
        null=True,
        blank=True,
        help_text=_("Empty for every year."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["activity_type", "business_unit", "from_year"]
        verbose_name = _("factor override")
        verbose_name_plural = _("factor overrides")

    def __str__(self) -> str:
        return f"{self.activity_type} → {self.factor}"


class MethodologyChangeKind(models.TextChoices):
    GWP_SET = "gwp_set", _("GWP set changed")
    FACTOR_REAPPLY = "factor_reapply", _("Factors re-applied")


class MethodologyChange(models.Model):
    """A recorded recalculation: a GWP set change or factors re-applied to a year."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="methodology_changes"
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=MethodologyChangeKind.choices
    )
    old_value = models.CharField(_("before"), max_length=40, blank=True)
    new_value = models.CharField(_("after"), max_length=40, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    years_recalculated = models.JSONField(default=list, blank=True)
    years_skipped = models.JSONField(default=list, blank=True)
    entries_recalculated = models.PositiveIntegerField(default=0)
    entries_changed = models.PositiveIntegerField(default=0)
    kg_before = models.DecimalField(max_digits=28, decimal_places=10, default=0)
    kg_after = models.DecimalField(max_digits=28, decimal_places=10, default=0)
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("methodology change")
        verbose_name_plural = _("methodology changes")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d}"

    @property
    def t_before(self):
        return self.kg_before / 1000

    @property
    def t_after(self):
        return self.kg_after / 1000
