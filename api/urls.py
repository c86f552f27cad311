from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework.routers import DefaultRouter

from api import views, views_docs

ORG = r"organisations/(?P<org_slug>[-a-z0-9]+)"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("organisations", views.OrganisationViewSet, basename="api-organisation")
router.register(f"{ORG}/business-units", views.BusinessUnitViewSet, basename="api-unit")
router.register(
    f"{ORG}/activity-types", views.ActivityTypeViewSet, basename="api-activity-type"
)
router.register(f"{ORG}/factor-sets", views.FactorSetViewSet, basename="api-factor-set")
router.register(f"{ORG}/entries", views.EntryViewSet, basename="api-entry")
router.register(
    f"{ORG}/instruments", views.InstrumentViewSet, basename="api-instrument"
)
router.register(f"{ORG}/credits", views.CreditViewSet, basename="api-credit")
router.register(f"{ORG}/metrics", views.MetricViewSet, basename="api-metric")
router.register(f"{ORG}/years", views.ReportingYearViewSet, basename="api-year")
router.register(f"{ORG}/reports", views.ReportViewSet, basename="api-report")

urlpatterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="api-schema"),
    path("docs/", views_docs.api_docs, name="api-docs"),
    path(
        "organisations/<slug:org_slug>/inventory/<int:year>/",
        views.InventoryView.as_view(),
        name="api-inventory",
    ),
    path("organisations/<slug:org_slug>/disclosures/", include("disclosures.urls_api")),
    *router.urls,
]
