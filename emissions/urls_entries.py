from django.urls import path

from emissions.views import entries, evidence, history, years

urlpatterns = [
    path("entries/", entries.entry_index, name="entry_index"),
    path(
        "entries/<int:year>/<str:unit_code>/",
        entries.entry_grid_view,
        name="entry_grid",
    ),
    path(
        "entries/<int:year>/<str:unit_code>/row/<int:type_pk>/",
        entries.entry_row_save,
        name="entry_row_save",
    ),
    path("entries/e/<int:pk>/", entries.entry_detail, name="entry_detail"),
    path("entries/e/<int:pk>/edit/", entries.entry_edit, name="entry_edit"),
    path("entries/e/<int:pk>/delete/", entries.entry_delete_view, name="entry_delete"),
    path(
        "entries/e/<int:pk>/evidence/",
        evidence.entry_evidence_upload,
        name="entry_evidence_upload",
    ),
    path(
        "evidence/<int:pk>/download/",
        evidence.evidence_download,
        name="evidence_download",
    ),
    path(
        "evidence/<int:pk>/remove/",
        evidence.evidence_remove_view,
        name="evidence_remove",
    ),
    path("years/", years.year_index, name="year_index"),
    path("years/<int:year>/", years.year_detail, name="year_detail"),
    path("years/<int:year>/submit/", years.year_submit_view, name="year_submit"),
    path(
        "years/<int:year>/comments/",
        years.year_change_comments,
        name="year_change_comments",
    ),
    path("years/<int:year>/return/", years.year_return_view, name="year_return"),
    path("years/<int:year>/approve/", years.year_approve_view, name="year_approve"),
    path("years/<int:year>/unlock/", years.year_unlock_view, name="year_unlock"),
    path(
        "years/<int:year>/evidence/",
        evidence.year_evidence_upload,
        name="year_evidence_upload",
    ),
    path("history/", history.history_index, name="history_index"),
]
