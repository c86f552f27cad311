"""JSON errors: {"errors": {field: [messages]}} with meaningful status codes."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from emissions.services.entries import EntryConflict

# The status of a ValidationError by the code of its errors (the codes of
# emissions.rules, the locked-year rule and the entry services); any other is
# 400. A year that is submitted or locked, and an entry changed by someone
# else, are conflicts with the state of the resource.
STATUS_BY_CODE = {
    "year_locked": status.HTTP_409_CONFLICT,
    "year_submitted": status.HTTP_409_CONFLICT,
    "entry_conflict": status.HTTP_409_CONFLICT,
}


def validation_codes(exc: DjangoValidationError) -> set[str]:
    """Return the codes of every error a ValidationError holds."""
    if hasattr(exc, "error_dict"):
        return {e.code for errors in exc.error_dict.values() for e in errors}
    return {getattr(error, "code", None) for error in exc.error_list}


def status_for(exc: DjangoValidationError) -> int:
    """Return the status a ValidationError answers with (the strongest of its codes)."""
    statuses = [STATUS_BY_CODE.get(code) for code in validation_codes(exc)]
    return max((s for s in statuses if s is not None), default=400)


def is_conflict(exc: DjangoValidationError) -> bool:
    """Whether the error is a conflict with the state of a year or an entry."""
    return status_for(exc) == status.HTTP_409_CONFLICT


def api_exception_handler(exc, context):
    if isinstance(exc, EntryConflict):
        return Response(
            {
                "errors": {"version": exc.messages},
                "stored": {k: str(v) for k, v in exc.stored.items()},
                "attempted": {k: str(v) for k, v in exc.attempted.items()},
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            errors = exc.message_dict
        else:
            errors = {"non_field_errors": exc.messages}
        return Response({"errors": errors}, status=status_for(exc))
    if isinstance(exc, Http404):
        return Response({"errors": {"detail": ["Not found."]}}, status=404)
    if isinstance(exc, PermissionDenied):
        return Response({"errors": {"detail": [str(exc) or "Forbidden."]}}, status=403)
    response = exception_handler(exc, context)
    if response is not None:
        data = response.data
        if isinstance(data, dict) and set(data) == {"detail"}:
            data = {"detail": [str(data["detail"])]}
        elif isinstance(data, list):
            data = {"non_field_errors": data}
        response.data = {"errors": data}
    return response
