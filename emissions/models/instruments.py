from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import BusinessUnit, Organisation


class Tracked(models.Model):
    """Who created and last changed a row, and its version for conflict detection."""

    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class InstrumentKind(models.TextChoices):
    GUARANTEE_OF_ORIGIN = "go", _("Guarantee of origin")
    REC = "rec", _("Renewable energy certificate (REC)")
    PPA = "ppa", _("Power purchase agreement (PPA)")
    GREEN_TARIFF = "green_tariff", _("Green tariff")


class ContractualInstrument(Tracked):
    """A scope 2 market-based instrument covering some MWh of a unit's year."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="instruments"
    )
    business_unit = models.ForeignKey(
        BusinessUnit, on_delete=models.PROTECT, related_name="instruments"
    )
    reporting_year = models.ForeignKey(
        "emissions.ReportingYear", on_delete=models.PROTECT, related_name="instruments"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=InstrumentKind.choices)
    mwh = models.DecimalField(_("MWh covered"), max_digits=20, decimal_places=6)
    kg_co2e_per_kwh = models.DecimalField(
        _("kg CO2e per kWh"), max_digits=20, decimal_places=10, default=0
    )
    energy_source = models.CharField(_("energy source"), max_length=100, blank=True)
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)
    certificate_ids = models.TextField(_("certificate numbers"), blank=True)
    # The guarantee-of-origin register: where and what was cancelled.
    scheme = models.CharField(
        _("scheme and registry"),
        max_length=200,
        blank=True,
        help_text=_("e.g. EECS, Statnett GO registry (NO) or Cesar (SE)"),
    )
    certificate_first = models.CharField(
        _("first certificate id"), max_length=100, blank=True
    )
    certificate_last = models.CharField(
        _("last certificate id"),
        max_length=100,
        blank=True,
        help_text=_("Empty for a single certificate or a cancellation id."),
    )
    # The ids split for the double-claim check: the text before the trailing
    # number, and the first and last number zero-padded to 40 digits, so that
    # text order is number order in every database.
    certificate_prefix = models.CharField(max_length=100, blank=True, editable=False)
    certificate_from = models.CharField(max_length=40, blank=True, editable=False)
    certificate_to = models.CharField(max_length=40, blank=True, editable=False)
    production_device = models.CharField(
        _("production device"), max_length=200, blank=True
    )
    production_country = models.CharField(
        _("production country"), max_length=2, blank=True
    )
    technology = models.CharField(_("technology"), max_length=100, blank=True)
    production_start = models.DateField(_("production from"), null=True, blank=True)
    production_end = models.DateField(_("production until"), null=True, blank=True)
    cancellation_date = models.DateField(_("cancellation date"), null=True, blank=True)
    beneficiary = models.CharField(_("beneficiary"), max_length=200, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    evidence = models.ManyToManyField(
        "emissions.EvidenceDocument", blank=True, related_name="instruments"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["reporting_year", "business_unit", "pk"]
        indexes = [
            models.Index(
                fields=["scheme", "certificate_prefix", "certificate_from"],
                name="instrument_certificate_idx",
            )
        ]
        verbose_name = _("contractual instrument")
        verbose_name_plural = _("contractual instruments")
        constraints = [
            models.CheckConstraint(
                condition=Q(mwh__gt=0), name="instrument_mwh_positive"
            ),
            models.CheckConstraint(
                condition=Q(kg_co2e_per_kwh__gte=0),
                name="instrument_factor_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.mwh} MWh"


class CarbonCredit(Tracked):
    """Credits retired to offset residual emissions; never part of the inventory."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="credits"
    )
    claimed_year = models.ForeignKey(
        "emissions.ReportingYear",
        on_delete=models.PROTECT,
        related_name="credits",
        verbose_name=_("year claimed for"),
    )
    tonnes = models.DecimalField(_("tonnes CO2e"), max_digits=20, decimal_places=6)
    standard = models.CharField(_("standard"), max_length=100)
    project = models.CharField(_("project"), max_length=300)
    vintage = models.PositiveSmallIntegerField(_("vintage"))
    serial_numbers = models.TextField(_("serial numbers"), blank=True)
    registry = models.CharField(_("registry"), max_length=200, blank=True)
    retirement_date = models.DateField(_("retirement date"))
    comment = models.TextField(_("comment"), blank=True)
    evidence = models.ManyToManyField(
        "emissions.EvidenceDocument", blank=True, related_name="credits"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["claimed_year", "retirement_date", "pk"]
        verbose_name = _("carbon credit")
        verbose_name_plural = _("carbon credits")
        constraints = [
            models.CheckConstraint(
                condition=Q(tonnes__gt=0), name="credit_tonnes_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.tonnes} t {self.standard} {self.project}"


class MetricKind(models.TextChoices):
    FTE = "fte", _("Employees (FTE)")
    REVENUE = "revenue", _("Revenue")
    FLOOR_AREA = "floor_area", _("Floor area (m²)")
    CUSTOM = "custom", _("Other metric")


class Metric(Tracked):
    """An intensity denominator for a business unit and year."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="metrics"
    )
    business_unit = models.ForeignKey(
        BusinessUnit, on_delete=models.PROTECT, related_name="metrics"
    )
    reporting_year = models.ForeignKey(
        "emissions.ReportingYear", on_delete=models.PROTECT, related_name="metrics"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=MetricKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)
    unit = models.CharField(
        _("unit"), max_length=20, blank=True, help_text=_("E.g. MNOK, MSEK, m², FTE.")
    )
    value = models.DecimalField(_("value"), max_digits=24, decimal_places=6)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["reporting_year", "business_unit", "kind"]
        verbose_name = _("metric")
        verbose_name_plural = _("metrics")
        constraints = [
            models.UniqueConstraint(
                fields=["business_unit", "reporting_year", "kind", "name"],
                name="metric_unique",
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0), name="metric_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.get_kind_display()}: {self.value} {self.unit}"


class Target(Tracked):
    """A reduction target against the base year, and a net-zero year."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="targets"
    )
    name = models.CharField(_("name"), max_length=200)
    scopes = models.CharField(
        _("scopes"),
        max_length=10,
        default="1+2",
        help_text=_("Which scopes the target covers: 1, 1+2 or 1+2+3."),
    )
    base_year = models.PositiveSmallIntegerField(_("base year"))
    target_year = models.PositiveSmallIntegerField(_("target year"))
    reduction_pct = models.DecimalField(
        _("reduction %"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    net_zero_year = models.PositiveSmallIntegerField(
        _("net-zero year"), null=True, blank=True
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["target_year"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.CheckConstraint(
                condition=Q(target_year__gt=models.F("base_year")),
                name="target_after_base_year",
            )
        ]

    def __str__(self) -> str:
        return self.name


class RecalculationReason(models.TextChoices):
    STRUCTURAL = "structural", _("Structural change (acquisition, divestment)")
    METHODOLOGY = "methodology", _("Methodology or factor change")
    ERROR = "error", _("Correction of an error")


class BaseYearRecalculation(Tracked):
    """A recorded adjustment of the base year, per scope, in tonnes CO2e."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="base_year_recalculations"
    )
    # The unit the adjustment belongs to (the unit acquired or divested, or
    # whose lines a correction changes); none: not allocated to a unit.
    business_unit = models.ForeignKey(
        BusinessUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="base_year_recalculations",
        verbose_name=_("business unit"),
    )
    reason = models.CharField(
        _("reason"), max_length=12, choices=RecalculationReason.choices
    )
    description = models.TextField(_("description"))
    scope1_t = models.DecimalField(
        _("scope 1 adjustment (t)"), max_digits=20, decimal_places=6, default=0
    )
    scope2_location_t = models.DecimalField(
        _("scope 2 location-based adjustment (t)"),
        max_digits=20,
        decimal_places=6,
        default=0,
    )
    scope2_market_t = models.DecimalField(
        _("scope 2 market-based adjustment (t)"),
        max_digits=20,
        decimal_places=6,
        default=0,
    )
    scope3_t = models.DecimalField(
        _("scope 3 adjustment (t)"), max_digits=20, decimal_places=6, default=0
    )
    effective_date = models.DateField(_("date"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["effective_date", "pk"]
        verbose_name = _("base-year recalculation")
        verbose_name_plural = _("base-year recalculations")

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.effective_date}"
