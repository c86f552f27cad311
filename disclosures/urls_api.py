from django.urls import path

from disclosures import api

urlpatterns = [
    path("<int:year>/", api.DisclosureView.as_view(), name="api-disclosure"),
    path(
        "<int:year>/<slug:fmt>/",
        api.DisclosureFileView.as_view(),
        name="api-disclosure-file",
    ),
]
