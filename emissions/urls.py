from django.urls import include, path

# Each area keeps its own URL module so that the areas stay apart.
urlpatterns = [
    path("", include("emissions.urls_factors")),
    path("", include("emissions.urls_entries")),
    path("", include("emissions.urls_records")),
    path("", include("emissions.imports.urls")),
]
