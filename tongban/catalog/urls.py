from django.urls import path

from tongban.catalog import views

app_name = "catalog"
urlpatterns = [
    path("import/", views.import_start, name="import"),
    path("import/<int:pk>/", views.import_status, name="import_status"),
    path("export/", views.export_start, name="export"),
    path("export/<int:pk>/download/", views.export_download, name="export_download"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("export.json", views.export_json, name="export_json"),
]
