from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from accounts import views as account_views
from api import views_tokens

# Every organisation page lives under /o/<org_slug>/ and resolves its tenant there.
organisation_patterns = [
    path("", include("accounts.urls_org")),
    path("", include("emissions.urls")),
    path("", include("reports.urls")),
    path("", include("disclosures.urls")),
]

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("accounts/api-tokens/", views_tokens.token_list, name="api_tokens"),
    path(
        "accounts/api-tokens/<int:pk>/revoke/",
        views_tokens.token_revoke,
        name="api_token_revoke",
    ),
    path("i18n/setlang/", set_language, name="set_language"),
    path("o/<slug:org_slug>/", include(organisation_patterns)),
    path("api/v1/", include("api.urls")),
    path("admin/", admin.site.urls),
    path("healthz", account_views.healthz, name="healthz"),
]
