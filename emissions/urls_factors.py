from django.urls import path

from emissions.views import factors

urlpatterns = [
    path("factors/", factors.factor_set_list, name="factor_set_list"),
    path("factors/upload/", factors.factor_set_upload, name="factor_set_upload"),
    path("factors/methodology/", factors.factor_methodology, name="factor_methodology"),
    path("factors/gwp/", factors.factor_gwp_change, name="factor_gwp_change"),
    path("factors/publisher/", factors.factor_preference, name="factor_preference"),
    path(
        "factors/residual-mix/",
        factors.factor_residual_mix,
        name="factor_residual_mix",
    ),
    path("factors/reapply/", factors.factor_reapply_view, name="factor_reapply"),
    path("factors/overrides/", factors.factor_override, name="factor_override"),
    path("factors/sets/<int:pk>/", factors.factor_set_detail, name="factor_set_detail"),
    path(
        "factors/sets/<int:pk>/compare/",
        factors.factor_set_compare,
        name="factor_set_compare",
    ),
    path("factors/<int:pk>/", factors.factor_detail, name="factor_detail"),
]
