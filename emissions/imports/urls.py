from django.urls import path

from emissions.imports import views

urlpatterns = [
    path("imports/", views.import_upload, name="import_upload"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/commit/", views.import_commit_view, name="import_commit"),
    path(
        "imports/<int:pk>/rollback/",
        views.import_rollback_view,
        name="import_rollback",
    ),
    path(
        "imports/<int:pk>/resume/",
        views.import_resume_view,
        name="import_resume",
    ),
    path(
        "imports/<int:pk>/discard/",
        views.import_discard_view,
        name="import_discard",
    ),
    path(
        "imports/template.<str:fmt>",
        views.import_template,
        name="import_template",
    ),
]
