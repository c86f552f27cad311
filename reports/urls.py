from django.urls import path

from reports.views import dashboard, exports, reports, texts

urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("entries/list/", dashboard.entry_list, name="entry_list"),
    path("reports/", reports.report_list, name="report_list"),
    path("reports/<int:pk>/download/", reports.report_download, name="report_download"),
    path("reports/texts/", texts.report_texts_index, name="report_texts_index"),
    path("reports/texts/<int:year>/", texts.report_texts, name="report_texts"),
    path(
        "reports/texts/<int:year>/narrative/",
        texts.report_narrative_save,
        name="report_narrative_save",
    ),
    path(
        "reports/texts/<int:year>/exclusions/",
        texts.scope3_exclusion_save,
        name="scope3_exclusion_save",
    ),
    path(
        "reports/texts/<int:year>/exclusions/<int:category>/delete/",
        texts.scope3_exclusion_delete,
        name="scope3_exclusion_delete",
    ),
    path(
        "exports/inventory.<str:fmt>", exports.inventory_export, name="inventory_export"
    ),
]
