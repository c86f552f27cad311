"""Request checks that apply to every page and the API."""

import re

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotFound,
)

from carbonledger.lib.params import MAX_ID

_NUMBER_SEGMENT = re.compile(r"/([0-9]{19,})(?=/|$)")


class RejectNulCharactersMiddleware:
    """Answer 400 to a URL whose path or query holds a NUL character.

    No legitimate link carries one, and PostgreSQL refuses NUL in text: a
    search or filter with "%00" would otherwise end in a server error there.
    Form fields and API bodies are checked by their own fields.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            return HttpResponseBadRequest(
                "The address holds a NUL character.", content_type="text/plain"
            )
        return self.get_response(request)


class RejectOversizedNumbersMiddleware:
    """Answer 404 to an address holding a number larger than any id.

    No row has such an id or year, and the database cannot even compare one
    (SQLite raises OverflowError): the page would answer with a server error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for match in _NUMBER_SEGMENT.finditer(request.path):
            if int(match.group(1)) > MAX_ID:
                return HttpResponseNotFound("No such page.", content_type="text/plain")
        return self.get_response(request)
