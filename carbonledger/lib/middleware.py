"""Request checks that apply to every page and the API."""

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest


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
