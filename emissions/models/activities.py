from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import BusinessUnit, Organisation


class FactorSource(models.TextChoices):
    """How an activity type finds its emission factor."""

    PUBLISHED = "published", _("A row of a published factor set (by key)")
    GRID_LOCATION = "grid_location", _("Grid electricity of the unit's country")
    DISTRICT_HEATING = "district_heating", _("District heating of the unit's country")
    GWP = "gwp", _("Refrigerant leakage: kg of gas × GWP")
    COMPUTED = "computed", _("Computed (e.g. servers: energy with PUE, embodied)")
    OWN = "own", _("The organisation's own factor set")


class DataQuality(models.TextChoices):
    MEASURED = "measured", _("Measured")
    CALCULATED = "calculated", _("Calculated")
    ESTIMATED = "estimated", _("Estimated")
    SPEND_BASED = "spend_based", _("Spend-based")


class ActivityType(models.Model):
    """What users enter: natural gas, grid electricity, short-haul flights ..."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activity_types",
        help_text=_("Empty for the seeded catalogue shared by every organisation."),
    )
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    name_nb = models.CharField(_("name (Norwegian)"), max_length=200, blank=True)
    name_sv = models.CharField(_("name (Swedish)"), max_length=200, blank=True)
    scope = models.PositiveSmallIntegerField(
        _("scope"), validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    scope3_category = models.PositiveSmallIntegerField(
        _("scope 3 category"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(15)],
    )
    iso_category = models.PositiveSmallIntegerField(
        _("ISO 14064-1 category"),
        validators=[MinValueValidator(1), MaxValueValidator(6)],
    )
    allowed_units = models.JSONField(_("allowed units"), default=list)
    default_unit = models.CharField(_("default unit"), max_length=30)
    factor_source = models.CharField(
        _("factor source"), max_length=20, choices=FactorSource.choices
    )
    # Publisher kind -> factor key in that publisher's sets, e.g. {"desnz": "..."}.
    factor_keys = models.JSONField(
        _("factor keys per publisher"), default=dict, blank=True
    )
    gas = models.CharField(
        _("gas (refrigerants)"),
        max_length=30,
        blank=True,
        help_text=_("For refrigerant leakage: the gas or blend whose GWP applies."),
    )
    pue = models.DecimalField(
        _("PUE"),
        max_digits=7,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(1))],
        help_text=_(
            "Server energy: the data centre's power usage effectiveness, by which "
            "the IT load is multiplied. Empty: 1.5."
        ),
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["scope", "sort_order", "code"]
        verbose_name = _("activity type")
        verbose_name_plural = _("activity types")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "code"], name="activity_type_code_unique"
            ),
            models.CheckConstraint(
                condition=Q(scope3_category__isnull=True) | Q(scope=3),
                name="activity_type_category_only_scope3",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def localised_name(self, language: str | None) -> str:
        if language == "nb" and self.name_nb:
            return self.name_nb
        if language == "sv" and self.name_sv:
            return self.name_sv
        return self.name

    @property
    def display_name(self) -> str:
        """The name in the active language (English where none is given)."""
        return self.localised_name((get_language() or "en")[:2])


class ActivityEntry(models.Model):
    """One line of activity data with the snapshot of its calculation."""

    # No index of its own: the composite indexes below start with it.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="entries", db_index=False
    )
    business_unit = models.ForeignKey(
        BusinessUnit, on_delete=models.PROTECT, related_name="entries"
    )
    reporting_year = models.ForeignKey(
        "emissions.ReportingYear", on_delete=models.PROTECT, related_name="entries"
    )
    activity_type = models.ForeignKey(
        ActivityType, on_delete=models.PROTECT, related_name="entries"
    )
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=28, decimal_places=10)
    unit = models.CharField(_("unit"), max_length=30)
    data_quality = models.CharField(
        _("data quality"),
        max_length=12,
        choices=DataQuality.choices,
        default=DataQuality.MEASURED,
    )
    comment = models.TextField(_("comment"), blank=True)
    source_reference = models.CharField(
        _("source reference"), max_length=200, blank=True
    )
    evidence = models.ManyToManyField(
        "emissions.EvidenceDocument", blank=True, related_name="entries"
    )
    import_batch = models.ForeignKey(
        "emissions.ImportBatch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
    )

    # Calculation snapshot: what was used, kept beside the figure.
    scope = models.PositiveSmallIntegerField(_("scope"))
    scope3_category = models.PositiveSmallIntegerField(null=True, blank=True)
    iso_category = models.PositiveSmallIntegerField()
    factor = models.ForeignKey(
        "emissions.EmissionFactor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
    )
    factor_set = models.ForeignKey(
        "emissions.FactorSet",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
    )
    factor_key = models.CharField(max_length=400, blank=True)
    factor_value = models.DecimalField(
        _("factor (kg CO2e per unit)"),
        max_digits=30,
        decimal_places=15,
        null=True,
        blank=True,
    )
    factor_unit = models.CharField(max_length=30, blank=True)
    factor_note = models.TextField(
        _("factor note"),
        blank=True,
        help_text=_("How the factor was chosen, e.g. nearest earlier edition."),
    )
    converted_quantity = models.DecimalField(max_digits=28, decimal_places=10)
    gwp_set = models.CharField(max_length=3, blank=True)
    calculation_method = models.CharField(max_length=30, blank=True)
    kg_co2e = models.DecimalField(_("kg CO2e"), max_digits=28, decimal_places=10)
    kg_by_gas = models.JSONField(_("kg CO2e per gas"), default=dict, blank=True)
    # Scope 2 only: energy in kWh, and market-based kg before instruments
    # (uncovered consumption at the residual mix); instruments apply per unit and year.
    energy_kwh = models.DecimalField(
        max_digits=28, decimal_places=10, null=True, blank=True
    )
    residual_mix_factor = models.DecimalField(
        max_digits=30, decimal_places=15, null=True, blank=True
    )
    kg_co2e_market = models.DecimalField(
        max_digits=28, decimal_places=10, null=True, blank=True
    )
    calculated_at = models.DateTimeField(null=True, blank=True)

    version = models.PositiveIntegerField(default=1)
    # Entries are never looked up by who wrote them (the history is, by
    # history_user); without these indexes large imports write faster.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    updated_at = models.DateTimeField(auto_now=True)

    # The history is read by entry (id), organisation, user and date; the
    # other foreign keys need no index there.
    history = HistoricalRecords(
        excluded_fields=["updated_at"],
        no_db_index=[
            "business_unit",
            "reporting_year",
            "activity_type",
            "import_batch",
            "factor",
            "factor_set",
            "created_by",
            "updated_by",
        ],
    )

    class Meta:
        ordering = [
            "reporting_year",
            "business_unit",
            "activity_type",
            "period_start",
            "pk",
        ]
        verbose_name = _("activity entry")
        verbose_name_plural = _("activity entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=0), name="entry_quantity_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_end__gte=F("period_start")),
                name="entry_period_order",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "reporting_year", "scope"]),
            models.Index(fields=["organisation", "business_unit", "reporting_year"]),
            # The inventory's two grouped passes (emissions.totals and
            # reports.selectors.rows) read these
            # alone, never the wide lines, in the order they group by.
            models.Index(
                fields=[
                    "organisation",
                    "reporting_year",
                    "business_unit",
                    "scope",
                    "kg_co2e",
                    "kg_co2e_market",
                    "energy_kwh",
                    "residual_mix_factor",
                ],
                name="entry_inventory_units_idx",
            ),
            models.Index(
                fields=[
                    "organisation",
                    "reporting_year",
                    "activity_type",
                    "data_quality",
                    "unit",
                    "scope",
                    "scope3_category",
                    "iso_category",
                    "kg_co2e",
                    "quantity",
                    "converted_quantity",
                    "business_unit",
                ],
                name="entry_inventory_detail_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_type} {self.quantity} {self.unit}"

    @property
    def t_co2e(self):
        return self.kg_co2e / 1000
