from django.urls import path

from emissions.views import imports

urlpatterns = [
    path("imports/", imports.import_upload, name="import_upload"),
    path("imports/<int:pk>/", imports.import_detail, name="import_detail"),
    path("imports/<int:pk>/commit/", imports.import_commit_view, name="import_commit"),
    path(
        "imports/<int:pk>/rollback/",
        imports.import_rollback_view,
        name="import_rollback",
    ),
    path(
        "imports/<int:pk>/resume/",
        imports.import_resume_view,
        name="import_resume",
    ),
    path(
        "imports/<int:pk>/discard/",
        imports.import_discard_view,
        name="import_discard",
    ),
    path(
        "imports/template.<str:fmt>",
        imports.import_template,
        name="import_template",
    ),
]
