"""JSON errors: {"errors": {field: [messages]}} with meaningful status codes."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from emissions.services.entries import EntryConflict

# A year that is submitted or locked is a conflict with the resource's state.
CONFLICT_CODES = {"year_locked", "year_submitted", "entry_conflict"}


def validation_codes(exc: DjangoValidationError) -> set[str]:
    """Return the codes of every error a ValidationError holds."""
    if hasattr(exc, "error_dict"):
        return {e.code for errors in exc.error_dict.values() for e in errors}
    return {getattr(error, "code", None) for error in exc.error_list}


def is_conflict(exc: DjangoValidationError) -> bool:
    """Whether the error is a conflict with the state of a year or an entry."""
    return bool(validation_codes(exc) & CONFLICT_CODES)


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
        code = status.HTTP_409_CONFLICT if is_conflict(exc) else 400
        return Response({"errors": errors}, status=code)
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
