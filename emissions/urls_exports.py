from django.urls import path

from emissions.views import exports

urlpatterns = [
    path(
        "exports/inventory.<str:fmt>",
        exports.inventory_export,
        name="inventory_export",
    ),
]
