"""The JSON API: the same services, tenancy and locked-year rules as the pages."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services as account_services
from accounts.models import BusinessUnit, Organisation
from accounts.roles import Capability
from accounts.tenancy import (
    limited_unit_ids,
    readable,
    require_unit,
    require_whole_organisation,
)
from api import filters as f
from api import serializers as s
from api.exceptions import is_conflict
from api.permissions import OrganisationAccess
from emissions import rules
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
from emissions.selectors_instruments import instruments_with_claims
from emissions.services import records
from emissions.services.entries import entry_create, entry_delete, entry_update
from emissions.services.years import year_approve, year_return, year_submit, year_unlock
from emissions.year_settings import YearSettings
from reports.kinds import REPORT_KINDS
from reports.models import GeneratedReport, ReportStatus
from reports.selectors import inventory_for_year
from reports.services import REPORT_FILE_MISSING, report_request

SIX = Decimal("0.000001")
BULK_MAX = 5000
BULK_EMPTY = gettext_lazy("Send a non-empty list of entries.")
BULK_TOO_MANY = gettext_lazy("At most %(count)s entries per call.")


def _raise(problem: rules.Problem | None) -> None:
    """Answer a rule's problem against its field (400, see api.exceptions)."""
    if problem is not None:
        raise ValidationError({problem.field: [problem.error()]})


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else f"{Decimal(value).quantize(SIX)}"


class OrganisationViewMixin:
    permission_classes = [OrganisationAccess]
    lookup_value_regex = r"[0-9]+"

    def unit(self, code: str):
        unit = self.organisation.business_units.filter(code=code).first()
        _raise(rules.business_unit_known(code, unit))
        return unit

    def activity(self, code: str) -> ActivityType:
        found = (
            ActivityType.objects.filter(
                code=code, organisation=self.organisation
            ).first()
            or ActivityType.objects.filter(code=code, organisation__isnull=True).first()
        )
        _raise(rules.activity_known(code, found))
        return found

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["organisation"] = getattr(self, "organisation", None)
        return context


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    """The organisations the user belongs to."""

    serializer_class = s.OrganisationSerializer
    lookup_field = "slug"
    lookup_value_regex = r"[-a-z0-9]+"
    queryset = Organisation.objects.none()  # typed for the schema; see get_queryset

    def get_queryset(self):
        today = timezone.localdate()
        memberships = [
            m
            for m in self.request.user.memberships.select_related("organisation")
            if m.is_current(today)
        ]
        self._roles = {m.organisation_id: m.role for m in memberships}
        return Organisation.objects.filter(pk__in=self._roles).order_by("name")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not hasattr(self, "_roles"):
            self.get_queryset()
        context["roles"] = self._roles
        return context


class BusinessUnitViewSet(
    OrganisationViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Business units (read; administrators create and change them)."""

    serializer_class = s.BusinessUnitSerializer
    queryset = BusinessUnit.objects.none()  # typed for the schema; see get_queryset
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"
    write_capability = Capability.MANAGE

    def get_queryset(self):
        return self.organisation.business_units.select_related("parent").order_by(
            "code"
        )

    def perform_create(self, serializer):
        serializer.instance = account_services.business_unit_save(
            organisation=self.organisation,
            actor=self.request.user,
            **serializer.validated_data,
        )

    def perform_update(self, serializer):
        serializer.instance = account_services.business_unit_save(
            organisation=self.organisation,
            actor=self.request.user,
            unit=serializer.instance,
            **serializer.validated_data,
        )


class ActivityTypeViewSet(OrganisationViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.ActivityTypeSerializer
    queryset = ActivityType.objects.none()  # typed for the schema; see get_queryset
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"

    def get_queryset(self):
        return ActivityType.objects.filter(
            organisation__isnull=True
        ) | ActivityType.objects.filter(organisation=self.organisation)


class FactorSetViewSet(OrganisationViewMixin, viewsets.ReadOnlyModelViewSet):
    """Global factor sets and the organisation's own (never another's)."""

    serializer_class = s.FactorSetSerializer
    queryset = FactorSet.objects.none()  # typed for the schema; see get_queryset
    filterset_class = f.FactorSetFilter

    def get_queryset(self):
        return (
            FactorSet.objects.filter(organisation__isnull=True)
            | FactorSet.objects.filter(organisation=self.organisation)
        ).order_by("kind", "-edition_year", "name")

    @extend_schema(responses=s.FactorSerializer(many=True))
    # The action lists factors: its filters and its schema are the factors'.
    @action(
        detail=True,
        methods=["get"],
        filterset_class=f.FactorFilter,
        queryset=EmissionFactor.objects.none(),
    )
    def factors(self, request, org_slug=None, pk=None):
        # Not get_object(): it would apply the factors' filters to the sets.
        factor_set = get_object_or_404(self.get_queryset(), pk=pk)
        self.check_object_permissions(request, factor_set)
        factors = self.filter_queryset(
            EmissionFactor.objects.filter(factor_set=factor_set).order_by("key")
        )
        page = self.paginate_queryset(factors)
        return self.get_paginated_response(s.FactorSerializer(page, many=True).data)


class EntryViewSet(OrganisationViewMixin, viewsets.ModelViewSet):
    """Activity entries with their calculation; writes go through the services."""

    serializer_class = s.EntrySerializer
    queryset = ActivityEntry.objects.none()  # typed for the schema; see get_queryset
    filterset_class = f.EntryFilter
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_queryset(self):
        qs = readable(
            ActivityEntry.objects.filter(organisation=self.organisation),
            self.membership,
        ).select_related(
            "business_unit", "reporting_year", "activity_type", "factor_set"
        )
        return qs.order_by("pk")

    def _create_one(self, data: dict) -> ActivityEntry:
        return entry_create(
            organisation=self.organisation,
            actor=self.request.user,
            business_unit=self.unit(data.pop("business_unit")),
            year=data.pop("year"),
            activity_type=self.activity(data.pop("activity")),
            **data,
        )

    @extend_schema(request=s.EntryWriteSerializer, responses={201: s.EntrySerializer})
    def create(self, request, *args, **kwargs):
        writer = s.EntryWriteSerializer(data=request.data)
        writer.is_valid(raise_exception=True)
        entry = self._create_one(dict(writer.validated_data))
        return Response(s.EntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.EntryUpdateSerializer, responses=s.EntrySerializer)
    def update(self, request, *args, **kwargs):
        entry = self.get_object()
        writer = s.EntryUpdateSerializer(data=request.data)
        writer.is_valid(raise_exception=True)
        changes = dict(writer.validated_data)
        version = changes.pop("version")
        if "business_unit" in changes:
            changes["business_unit"] = self.unit(changes["business_unit"])
        if "activity" in changes:
            changes["activity_type"] = self.activity(changes.pop("activity"))
        entry = entry_update(
            organisation=self.organisation,
            actor=request.user,
            entry=entry,
            version=version,
            **changes,
        )
        return Response(s.EntrySerializer(entry).data)

    partial_update = update

    def destroy(self, request, *args, **kwargs):
        entry_delete(
            organisation=self.organisation, actor=request.user, entry=self.get_object()
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=s.EntryWriteSerializer(many=True),
        responses={201: s.EntrySerializer(many=True)},
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request, org_slug=None):
        """Create many entries: all of them, or none with each item's errors."""
        if not isinstance(request.data, list) or not request.data:
            raise ValidationError({"non_field_errors": [BULK_EMPTY]})
        if len(request.data) > BULK_MAX:
            raise ValidationError(
                {"non_field_errors": [BULK_TOO_MANY % {"count": BULK_MAX}]}
            )
        errors: dict[str, object] = {}
        valid: list[tuple[int, dict]] = []
        for index, item in enumerate(request.data):
            writer = s.EntryWriteSerializer(data=item)
            if writer.is_valid():
                valid.append((index, dict(writer.validated_data)))
            else:
                errors[str(index)] = writer.errors
        if errors:
            return Response({"errors": errors}, status=400)
        created, conflict = [], False
        try:
            with transaction.atomic():
                for index, data in valid:
                    try:
                        created.append(self._create_one(data))
                    except ValidationError as exc:
                        errors[str(index)] = (
                            exc.message_dict
                            if hasattr(exc, "error_dict")
                            else exc.messages
                        )
                        conflict = conflict or is_conflict(exc)
                if errors:
                    raise ValidationError("rollback")
        except ValidationError:
            # A locked or submitted year is a conflict with the year's state,
            # as for a single entry.
            return Response({"errors": errors}, status=409 if conflict else 400)
        return Response(s.EntrySerializer(created, many=True).data, status=201)


class RecordViewSet(
    OrganisationViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """List, read and create through a service; subclasses add what else they allow."""


class InstrumentViewSet(RecordViewSet, mixins.DestroyModelMixin):
    serializer_class = s.InstrumentSerializer
    queryset = ContractualInstrument.objects.none()  # typed for the schema
    filterset_class = f.InstrumentFilter

    def get_queryset(self):
        # Annotated with the other claims of the same certificates, for the
        # quality criteria.
        return instruments_with_claims(
            organisation=self.organisation,
            unit_ids=limited_unit_ids(self.membership),
        ).order_by("pk")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "organisation", None) is not None:
            context["unit_ids"] = limited_unit_ids(self.membership)
        return context

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        created = records.instrument_create(
            organisation=self.organisation,
            actor=self.request.user,
            business_unit=self.unit(data.pop("business_unit")["code"]),
            year=data.pop("reporting_year")["year"],
            **data,
        )
        serializer.instance = self.get_queryset().get(pk=created.pk)

    def perform_destroy(self, instance):
        records.instrument_delete(
            organisation=self.organisation, actor=self.request.user, instrument=instance
        )


class CreditViewSet(RecordViewSet, mixins.DestroyModelMixin):
    serializer_class = s.CreditSerializer
    queryset = CarbonCredit.objects.none()  # typed for the schema
    filterset_class = f.CreditFilter

    def get_queryset(self):
        # Credits are claimed by the whole organisation.
        require_whole_organisation(self.membership)
        return (
            CarbonCredit.objects.filter(organisation=self.organisation)
            .select_related("claimed_year")
            .order_by("pk")
        )

    def perform_create(self, serializer):
        require_whole_organisation(self.membership)
        data = dict(serializer.validated_data)
        serializer.instance = records.credit_create(
            organisation=self.organisation,
            actor=self.request.user,
            year=data.pop("claimed_year")["year"],
            **data,
        )

    def perform_destroy(self, instance):
        records.credit_delete(
            organisation=self.organisation, actor=self.request.user, credit=instance
        )


class MetricViewSet(RecordViewSet):
    """Intensity metrics; POST creates or updates the unit's metric of a kind."""

    serializer_class = s.MetricSerializer
    queryset = Metric.objects.none()  # typed for the schema
    filterset_class = f.MetricFilter

    def get_queryset(self):
        return (
            readable(
                Metric.objects.filter(organisation=self.organisation), self.membership
            )
            .select_related("business_unit", "reporting_year")
            .order_by("pk")
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = records.metric_set(
            organisation=self.organisation,
            actor=self.request.user,
            business_unit=self.unit(data.pop("business_unit")["code"]),
            year=data.pop("reporting_year")["year"],
            **data,
        )


class ReportingYearViewSet(OrganisationViewMixin, viewsets.ReadOnlyModelViewSet):
    """Reporting years and their workflow: submit, return, approve, unlock."""

    serializer_class = s.ReportingYearSerializer
    queryset = ReportingYear.objects.none()  # typed for the schema; see get_queryset
    lookup_field = "year"
    write_capabilities = {
        "submit": Capability.SUBMIT,
        "approve": Capability.APPROVE,
        "unlock": Capability.APPROVE,
        "return_to_open": Capability.APPROVE,
    }

    def get_queryset(self):
        return (
            ReportingYear.objects.filter(organisation=self.organisation)
            .select_related("submitted_by", "approved_by")
            .order_by("year")
        )

    def _done(self, year):
        return Response(
            s.ReportingYearSerializer(
                ReportingYear.objects.get(organisation=self.organisation, year=year)
            ).data
        )

    @extend_schema(request=None, responses=s.ReportingYearSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, org_slug=None, year=None):
        year_submit(organisation=self.organisation, actor=request.user, year=int(year))
        return self._done(year)

    @extend_schema(request=s.ApproveSerializer, responses=s.ReportingYearSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, org_slug=None, year=None):
        confirm = s.ApproveSerializer(data=request.data)
        confirm.is_valid(raise_exception=True)
        year_approve(
            organisation=self.organisation,
            actor=request.user,
            year=int(year),
            confirm_unverified=confirm.validated_data["confirm_unverified"],
            open_findings_reason=confirm.validated_data["open_findings_reason"],
        )
        return self._done(year)

    @extend_schema(request=s.ReasonSerializer, responses=s.ReportingYearSerializer)
    @action(detail=True, methods=["post"])
    def unlock(self, request, org_slug=None, year=None):
        reason = s.ReasonSerializer(data=request.data)
        reason.is_valid(raise_exception=True)
        year_unlock(
            organisation=self.organisation,
            actor=request.user,
            year=int(year),
            reason=reason.validated_data["reason"],
        )
        return self._done(year)

    @extend_schema(request=s.ReasonSerializer, responses=s.ReportingYearSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_to_open(self, request, org_slug=None, year=None):
        reason = s.ReasonSerializer(data=request.data)
        reason.is_valid(raise_exception=True)
        year_return(
            organisation=self.organisation,
            actor=request.user,
            year=int(year),
            reason=reason.validated_data["reason"],
        )
        return self._done(year)


def _settings(settings: YearSettings) -> dict:
    return {
        "fixed": settings.is_fixed,
        "fixed_at": settings.fixed_at,
        "consolidation_approach": settings.consolidation_approach,
        "gwp_set": settings.gwp_set,
        "scope2_headline": settings.scope2_headline,
        "base_year": settings.base_year,
        "include_wtt": settings.include_wtt,
        "include_td_losses": settings.include_td_losses,
        "factor_publisher": settings.factor_publisher,
    }


class InventoryView(APIView):
    """Totals of a year in tonnes CO2e (decimal strings), with the base year."""

    permission_classes = [OrganisationAccess]

    @extend_schema(
        parameters=[OpenApiParameter("business_unit", OpenApiTypes.STR)],
        responses=s.InventorySerializer,
    )
    def get(self, request, org_slug: str, year: int):
        organisation = request.organisation
        unit = None
        if code := request.query_params.get("business_unit"):
            unit = get_object_or_404(organisation.business_units, code=code)
        # A member limited to some units reads one of them, not the whole.
        require_unit(request.membership, unit.pk if unit else None)
        inv = inventory_for_year(
            organisation=organisation, year=int(year), business_unit=unit
        )
        data = {
            "year": inv.year,
            "base_year": inv.base_year,
            "year_status": inv.year_status,
            "scope2_headline": inv.headline_scope2,
            "total_t_co2e": _dec(inv.total_t_co2e),
            "scope1_t_co2e": _dec(inv.scope1_t_co2e),
            "scope2_location_t_co2e": _dec(inv.scope2_location_t_co2e),
            "scope2_market_t_co2e": _dec(inv.scope2_market_t_co2e),
            "scope3_t_co2e": _dec(inv.scope3_t_co2e),
            "scope3_by_category": {
                str(k): _dec(v) for k, v in inv.scope3_by_category.items()
            },
            "by_business_unit": {k: _dec(v) for k, v in inv.by_business_unit.items()},
            "base_year_total_t_co2e": _dec(inv.base_year_total_t_co2e),
            "base_year_original_t_co2e": _dec(inv.base_year_original_t_co2e),
            "change_vs_base_year_pct": _dec(inv.change_vs_base_year_pct),
            "change_vs_previous_year_pct": _dec(inv.change_vs_previous_year_pct),
            "credits_retired_t_co2e": _dec(inv.credits_retired_t_co2e),
            "net_after_credits_t_co2e": _dec(inv.net_after_credits_t_co2e),
            "total_location_t_co2e": _dec(inv.total_location_t_co2e),
            "total_market_t_co2e": _dec(inv.total_market_t_co2e),
            "cumulative_reduction_t_co2e": _dec(inv.cumulative_reduction_t_co2e),
            "base_year_by_business_unit": {
                line.code: _dec(line.recalculated_t) for line in inv.base_year_by_unit
            },
            "by_gas": {gas: _dec(t) for gas, t in inv.gas_table.items()},
            "co2_from_co2e_only_t_co2e": _dec(inv.co2e_only.t_co2e),
            "co2_from_co2e_only_by_source": {
                source.code: _dec(source.t_co2e) for source in inv.co2e_only.sources
            },
            "settings": _settings(inv.settings),
        }
        return Response(s.InventorySerializer(data).data)


class ReportViewSet(RecordViewSet):
    """Ask for a report, follow its status, download it."""

    serializer_class = s.ReportSerializer
    write_capability = Capability.VIEW  # viewers ask for reports too
    queryset = GeneratedReport.objects.none()  # typed for the schema
    filterset_class = f.ReportFilter

    def get_queryset(self):
        return (
            readable(
                GeneratedReport.objects.filter(organisation=self.organisation),
                self.membership,
            )
            .select_related("business_unit", "requested_by")
            .order_by("-requested_at")
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        code = (data.pop("business_unit", None) or {}).get("code")
        serializer.instance = report_request(
            organisation=self.organisation,
            actor=self.request.user,
            kind=data["kind"],
            year=data.get("year"),  # none: every year (the full inventory only)
            language=data.get("language", "en"),
            business_unit=self.unit(code) if code else None,
        )

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, org_slug=None, pk=None):
        report = self.get_object()
        if report.status != ReportStatus.DONE or not report.file:
            raise Http404("The report is not ready.")
        try:
            handle = report.file.open("rb")
        except OSError:
            raise NotFound(REPORT_FILE_MISSING) from None
        kind = REPORT_KINDS[report.kind]
        return FileResponse(
            handle,
            as_attachment=True,
            filename=(
                f"{report.kind}-{report.file_year}-{report.language}.{kind.extension}"
            ),
            content_type=kind.content_type,
        )
