from django.urls import path

from accounts import views, views_admin

urlpatterns = [
    path("", views.org_home, name="org_home"),
    path("settings/", views_admin.settings_organisation, name="settings_organisation"),
    path("settings/units/", views_admin.unit_list, name="unit_list"),
    path("settings/units/new/", views_admin.unit_edit, name="unit_create"),
    path("settings/units/<str:code>/", views_admin.unit_edit, name="unit_edit"),
    path(
        "settings/units/<str:code>/delete/", views_admin.unit_delete, name="unit_delete"
    ),
    path("settings/members/", views_admin.member_list, name="member_list"),
    path("settings/members/<int:pk>/", views_admin.member_edit, name="member_edit"),
    path(
        "settings/members/<int:pk>/remove/",
        views_admin.member_remove,
        name="member_remove",
    ),
]
