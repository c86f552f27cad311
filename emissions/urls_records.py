from django.urls import path

from emissions.views import records

urlpatterns = [
    path("instruments/", records.instrument_list, name="instrument_list"),
    path("instruments/<int:pk>/", records.instrument_detail, name="instrument_detail"),
    path(
        "instruments/<int:pk>/delete/",
        records.instrument_delete,
        name="instrument_delete",
    ),
    path("instruments/<int:pk>/edit/", records.instrument_edit, name="instrument_edit"),
    path("credits/", records.credit_list, name="credit_list"),
    path("credits/<int:pk>/edit/", records.credit_edit, name="credit_edit"),
    path("credits/<int:pk>/delete/", records.credit_delete, name="credit_delete"),
    path(
        "records/<str:kind>/<int:pk>/evidence/",
        records.record_evidence_upload,
        name="record_evidence_upload",
    ),
    path("metrics/", records.metric_list, name="metric_list"),
    path("targets/", records.target_list, name="target_list"),
    path("base-year/", records.recalculation_list, name="recalculation_list"),
    path(
        "base-year/<int:pk>/approve/",
        records.recalculation_approve,
        name="recalculation_approve",
    ),
    path("findings/", records.finding_list, name="finding_list"),
    path(
        "findings/<int:pk>/<str:action>/",
        records.finding_action,
        name="finding_action",
    ),
]
