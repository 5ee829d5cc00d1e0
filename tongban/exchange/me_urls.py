"""The person's data-access log in the personal space, included from
``tongban/config/urls.py`` under ``me/data-access/`` (namespace ``exchange_me``)."""

from django.urls import path

from . import views_access

app_name = "exchange_me"

urlpatterns = [
    path("", views_access.my_accesses, name="log"),
    path("<int:pk>/report/", views_access.report_new, name="report_new"),
    path("reports/<int:pk>/", views_access.my_report, name="report"),
]
