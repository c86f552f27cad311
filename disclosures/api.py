"""The disclosures through the JSON API: the datapoints, and the two files."""

from __future__ import annotations

from decimal import Decimal

from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Language
from accounts.tenancy import require_whole_organisation
from api.permissions import OrganisationAccess
from disclosures.exports import disclosure_file
from disclosures.formats import FORMATS
from disclosures.selectors import disclosure_for_year, year_exists


class DatapointSerializer(serializers.Serializer):
    key = serializers.CharField()
    section = serializers.CharField()
    label = serializers.CharField()
    value = serializers.CharField(allow_null=True)
    unit = serializers.CharField()
    decimals = serializers.IntegerField(allow_null=True)
    concept = serializers.CharField()
    member = serializers.CharField()
    note = serializers.CharField()


class IdentifierSerializer(serializers.Serializer):
    scheme = serializers.CharField()
    value = serializers.CharField()


class DisclosureSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    year_status = serializers.CharField()
    final = serializers.BooleanField()
    legal_name = serializers.CharField()
    identifier = IdentifierSerializer(allow_null=True)
    reporting_currency = serializers.CharField()
    datapoints = DatapointSerializer(many=True)


def _text(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _year(organisation, year: int) -> int:
    if not year_exists(organisation=organisation, year=year):
        raise Http404("No such year.")
    return year


class DisclosureView(APIView):
    """A year's VSME B3/C3 and ESRS E1-5/E1-6 datapoints (decimal strings).

    Numbers are rounded as the exported files give them (`decimals`); a
    datapoint the inventory cannot give has the value null and a note.
    """

    permission_classes = [OrganisationAccess]

    @extend_schema(operation_id="disclosure_retrieve", responses=DisclosureSerializer)
    def get(self, request, org_slug: str, year: int):
        require_whole_organisation(request.membership)
        organisation = request.organisation
        disclosure = disclosure_for_year(
            organisation=organisation, year=_year(organisation, year)
        )
        identifier = disclosure.identifier
        data = {
            "year": disclosure.year,
            "year_status": disclosure.year_status,
            "final": disclosure.final,
            "legal_name": disclosure.legal_name,
            "identifier": (
                {"scheme": identifier.scheme, "value": identifier.value}
                if identifier
                else None
            ),
            "reporting_currency": disclosure.currency,
            "datapoints": [
                {
                    "key": point.key,
                    "section": point.section,
                    "label": point.label,
                    "value": _text(point.rounded),
                    "unit": point.unit,
                    "decimals": point.decimals,
                    "concept": point.concept,
                    "member": point.member,
                    "note": point.note,
                }
                for point in disclosure.datapoints
            ],
        }
        return Response(DisclosureSerializer(data).data)


class DisclosureFileView(APIView):
    """The year's disclosure as the filled VSME template or inline XBRL.

    An approved year's file is final; any other year's is marked draft.
    """

    permission_classes = [OrganisationAccess]

    @extend_schema(
        operation_id="disclosure_file_retrieve",
        parameters=[
            OpenApiParameter(
                "fmt", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(FORMATS)
            ),
            OpenApiParameter("lang", OpenApiTypes.STR, enum=list(Language.values)),
        ],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    def get(self, request, org_slug: str, year: int, fmt: str):
        require_whole_organisation(request.membership)
        organisation = request.organisation
        if fmt not in FORMATS:
            raise Http404("No such format.")
        exported = disclosure_file(
            organisation=organisation,
            year=_year(organisation, year),
            fmt=fmt,
            language=request.query_params.get("lang") or None,
        )
        response = HttpResponse(exported.content, content_type=exported.content_type)
        response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
        return response
