from django.urls import path

from disclosures import views

urlpatterns = [
    path("disclosures/", views.disclosure_index, name="disclosure_index"),
    path("disclosures/<int:year>/", views.disclosure_detail, name="disclosure_detail"),
    path(
        "disclosures/<int:year>/transition-plan/",
        views.disclosure_plan_save,
        name="disclosure_plan_save",
    ),
    path(
        "disclosures/<int:year>/export/<slug:fmt>/",
        views.disclosure_export,
        name="disclosure_export",
    ),
]
