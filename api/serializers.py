import re

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import BusinessUnit, Organisation
from emissions.models import (
    ActivityEntry,
    ActivityType,
    CarbonCredit,
    ContractualInstrument,
    EmissionFactor,
    FactorSet,
    Metric,
    ReportingYear,
)
from emissions.quality_criteria import CRITERIA, Outcome
from emissions.selectors_instruments import instrument_quality
from reports.models import GeneratedReport

DEC = {"max_digits": 30, "decimal_places": 10, "coerce_to_string": True}


class OrganisationSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = [
            "slug",
            "name",
            "org_number",
            "country",
            "base_year",
            "consolidation_approach",
            "gwp_set",
            "language",
            "scope2_headline",
            "role",
        ]

    def get_role(self, obj) -> str:
        return self.context["roles"].get(obj.pk, "")


class BusinessUnitSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(
        slug_field="code",
        queryset=BusinessUnit.objects.none(),
        allow_null=True,
        required=False,
    )

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
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organisation = self.context.get("organisation")
        if organisation is not None:
            self.fields["parent"].queryset = organisation.business_units.all()


class ActivityTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActivityType
        fields = [
            "code",
            "name",
            "scope",
            "scope3_category",
            "iso_category",
            "allowed_units",
            "default_unit",
            "factor_source",
            "description",
        ]


class FactorSetSerializer(serializers.ModelSerializer):
    scope = serializers.SerializerMethodField()

    class Meta:
        model = FactorSet
        fields = [
            "id",
            "kind",
            "publisher",
            "name",
            "edition_year",
            "version",
            "region",
            "source_url",
            "licence",
            "gwp_basis",
            "checksum_sha256",
            "scope",
        ]

    def get_scope(self, obj) -> str:
        return "global" if obj.organisation_id is None else "organisation"


class FactorSerializer(serializers.ModelSerializer):
    co2e = serializers.DecimalField(max_digits=30, decimal_places=15, allow_null=True)

    class Meta:
        model = EmissionFactor
        fields = [
            "id",
            "key",
            "scope_label",
            "level1",
            "level2",
            "level3",
            "level4",
            "column_text",
            "unit",
            "unit_label",
            "co2e",
            "gases",
            "gas_basis",
            "source_note",
        ]


class EntrySerializer(serializers.ModelSerializer):
    business_unit = serializers.CharField(source="business_unit.code")
    year = serializers.IntegerField(source="reporting_year.year")
    activity = serializers.CharField(source="activity_type.code")
    quantity = serializers.DecimalField(**DEC)
    kg_co2e = serializers.DecimalField(**DEC)
    kg_co2e_market = serializers.DecimalField(**DEC, allow_null=True)
    converted_quantity = serializers.DecimalField(**DEC)
    factor_value = serializers.DecimalField(
        max_digits=30, decimal_places=15, allow_null=True
    )
    factor_set = serializers.CharField(source="factor_set.name", allow_null=True)

    class Meta:
        model = ActivityEntry
        fields = [
            "id",
            "business_unit",
            "year",
            "activity",
            "period_start",
            "period_end",
            "quantity",
            "unit",
            "data_quality",
            "comment",
            "source_reference",
            "scope",
            "scope3_category",
            "iso_category",
            "factor_set",
            "factor_key",
            "factor_value",
            "factor_unit",
            "factor_note",
            "converted_quantity",
            "gwp_set",
            "kg_co2e",
            "kg_by_gas",
            "kg_co2e_market",
            "version",
            "import_batch",
            "updated_at",
        ]


_PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


class QuantityField(serializers.DecimalField):
    """A quantity as a JSON number or a string of ASCII digits with a decimal point.

    DRF's DecimalField reads whatever Decimal() reads: "1_000", "1e3" and
    other scripts' digits, which no client means as a quantity.
    """

    def __init__(self, **kwargs):
        super().__init__(max_digits=28, decimal_places=10, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str) and not _PLAIN_NUMBER.fullmatch(data.strip()):
            self.fail("invalid")
        return super().to_internal_value(data)


class EntryWriteSerializer(serializers.Serializer):
    business_unit = serializers.CharField()
    year = serializers.IntegerField()
    activity = serializers.CharField()
    quantity = QuantityField()
    unit = serializers.CharField()
    period_start = serializers.DateField(required=False, allow_null=True)
    period_end = serializers.DateField(required=False, allow_null=True)
    data_quality = serializers.CharField(required=False, default="measured")
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    source_reference = serializers.CharField(
        required=False, allow_blank=True, default=""
    )


class EntryUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    business_unit = serializers.CharField(required=False)
    year = serializers.IntegerField(required=False)
    activity = serializers.CharField(required=False)
    quantity = QuantityField(required=False)
    unit = serializers.CharField(required=False)
    period_start = serializers.DateField(required=False, allow_null=True)
    period_end = serializers.DateField(required=False, allow_null=True)
    data_quality = serializers.CharField(required=False)
    comment = serializers.CharField(required=False, allow_blank=True)
    source_reference = serializers.CharField(required=False, allow_blank=True)


class CriterionSerializer(serializers.Serializer):
    """One GHG Protocol Scope 2 Quality Criterion of an instrument."""

    criterion = serializers.ChoiceField(choices=list(CRITERIA))
    name = serializers.CharField(source="label")
    outcome = serializers.ChoiceField(
        choices=[Outcome.MET, Outcome.NOT_MET, Outcome.UNKNOWN]
    )
    reason = serializers.CharField()


class InstrumentSerializer(serializers.ModelSerializer):
    business_unit = serializers.CharField(source="business_unit.code")
    year = serializers.IntegerField(source="reporting_year.year")
    mwh = serializers.DecimalField(max_digits=20, decimal_places=6)
    kg_co2e_per_kwh = serializers.DecimalField(
        max_digits=20, decimal_places=10, required=False
    )
    quality_criteria = serializers.SerializerMethodField()

    @extend_schema_field(CriterionSerializer(many=True))
    def get_quality_criteria(self, instrument) -> list[dict]:
        """The Scope 2 Quality Criteria, each met, not met or unknown, with why."""
        (quality,) = instrument_quality(
            [instrument], unit_ids=self.context.get("unit_ids")
        )
        return CriterionSerializer(quality.checks, many=True).data

    class Meta:
        model = ContractualInstrument
        fields = [
            "id",
            "business_unit",
            "year",
            "kind",
            "mwh",
            "kg_co2e_per_kwh",
            "energy_source",
            "supplier",
            "certificate_ids",
            "scheme",
            "certificate_first",
            "certificate_last",
            "production_device",
            "production_country",
            "technology",
            "production_start",
            "production_end",
            "cancellation_date",
            "beneficiary",
            "comment",
            "version",
            "quality_criteria",
        ]
        read_only_fields = ["id", "version"]


class CreditSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="claimed_year.year")
    tonnes = serializers.DecimalField(max_digits=20, decimal_places=6)

    class Meta:
        model = CarbonCredit
        fields = [
            "id",
            "year",
            "tonnes",
            "standard",
            "project",
            "vintage",
            "serial_numbers",
            "registry",
            "retirement_date",
            "comment",
            "version",
        ]
        read_only_fields = ["id", "version"]


class MetricSerializer(serializers.ModelSerializer):
    business_unit = serializers.CharField(source="business_unit.code")
    year = serializers.IntegerField(source="reporting_year.year")
    value = serializers.DecimalField(max_digits=24, decimal_places=6)

    class Meta:
        model = Metric
        fields = [
            "id",
            "business_unit",
            "year",
            "kind",
            "name",
            "unit",
            "value",
            "version",
        ]
        read_only_fields = ["id", "version"]


class ReportingYearSerializer(serializers.ModelSerializer):
    submitted_by = serializers.CharField(source="submitted_by.email", allow_null=True)
    approved_by = serializers.CharField(source="approved_by.email", allow_null=True)

    class Meta:
        model = ReportingYear
        fields = [
            "year",
            "status",
            "submitted_by",
            "submitted_at",
            "approved_by",
            "approved_at",
            "unlock_reason",
            "unverified_factors_confirmed",
            "change_comments",
            "open_findings_at_approval",
            "open_findings_reason",
            "approved_without_second_person",
        ]


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class ApproveSerializer(serializers.Serializer):
    confirm_unverified = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Approve although the year uses factors not checked against "
        "their publication; they are recorded on the year.",
    )
    open_findings_reason = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        help_text="Why the year is approved while audit findings are open; "
        "required when there are any, recorded on the year and in the report.",
    )


class ReportSerializer(serializers.ModelSerializer):
    business_unit = serializers.CharField(
        source="business_unit.code", allow_null=True, required=False
    )
    requested_by = serializers.CharField(source="requested_by.email", read_only=True)

    class Meta:
        model = GeneratedReport
        fields = [
            "id",
            "kind",
            "year",
            "language",
            "business_unit",
            "status",
            "sha256",
            "size",
            "year_status",
            "requested_by",
            "requested_at",
            "finished_at",
            "error",
            "parameters",
        ]
        read_only_fields = [
            "id",
            "status",
            "sha256",
            "size",
            "year_status",
            "requested_by",
            "requested_at",
            "finished_at",
            "error",
            "parameters",
        ]


class InventorySettingsSerializer(serializers.Serializer):
    """The settings the year's figures use; fixed with a submitted or approved year."""

    fixed = serializers.BooleanField()
    fixed_at = serializers.CharField(allow_blank=True)
    consolidation_approach = serializers.CharField()
    gwp_set = serializers.CharField()
    scope2_headline = serializers.CharField()
    base_year = serializers.IntegerField()
    include_wtt = serializers.BooleanField()
    include_td_losses = serializers.BooleanField()
    factor_publisher = serializers.CharField()


class InventorySerializer(serializers.Serializer):
    year = serializers.IntegerField()
    base_year = serializers.IntegerField()
    year_status = serializers.CharField()
    scope2_headline = serializers.CharField()
    total_t_co2e = serializers.CharField()
    scope1_t_co2e = serializers.CharField()
    scope2_location_t_co2e = serializers.CharField()
    scope2_market_t_co2e = serializers.CharField()
    scope3_t_co2e = serializers.CharField()
    scope3_by_category = serializers.DictField(child=serializers.CharField())
    by_business_unit = serializers.DictField(child=serializers.CharField())
    base_year_total_t_co2e = serializers.CharField(allow_null=True)
    base_year_original_t_co2e = serializers.CharField(allow_null=True)
    change_vs_base_year_pct = serializers.CharField(allow_null=True)
    change_vs_previous_year_pct = serializers.CharField(allow_null=True)
    credits_retired_t_co2e = serializers.CharField()
    net_after_credits_t_co2e = serializers.CharField()
    total_location_t_co2e = serializers.CharField()
    total_market_t_co2e = serializers.CharField()
    cumulative_reduction_t_co2e = serializers.CharField()
    # Each unit's recalculated base year; "" holds what no unit was given.
    base_year_by_business_unit = serializers.DictField(child=serializers.CharField())
    # The seven Kyoto gases or groups; they add up to total_t_co2e.
    by_gas = serializers.DictField(child=serializers.CharField())
    # Of the CO2 figure: the tonnes of factors that give a CO2e total only,
    # counted as CO2, in all and by activity code ("instruments": contractual
    # instruments' own factors).
    co2_from_co2e_only_t_co2e = serializers.CharField()
    co2_from_co2e_only_by_source = serializers.DictField(child=serializers.CharField())
    settings = InventorySettingsSerializer()
