from django.urls import path

from reports import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/<int:pk>/download/", views.report_download, name="report_download"),
]
