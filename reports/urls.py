from django.urls import path

from reports import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/<int:pk>/download/", views.report_download, name="report_download"),
    path("reports/texts/", views.report_texts_index, name="report_texts_index"),
    path("reports/texts/<int:year>/", views.report_texts, name="report_texts"),
    path(
        "reports/texts/<int:year>/narrative/",
        views.report_narrative_save,
        name="report_narrative_save",
    ),
    path(
        "reports/texts/<int:year>/exclusions/",
        views.scope3_exclusion_save,
        name="scope3_exclusion_save",
    ),
    path(
        "reports/texts/<int:year>/exclusions/<int:category>/delete/",
        views.scope3_exclusion_delete,
        name="scope3_exclusion_delete",
    ),
]
