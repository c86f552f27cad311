from django.urls import path

from accounts import views

urlpatterns = [
    path("", views.org_home, name="org_home"),
]
