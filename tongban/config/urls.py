from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("tongban.accounts.urls")),
    path("api/", include("tongban.api.urls")),
    path("manage/catalog/", include("tongban.catalog.urls")),
    path("", include("tongban.portal.urls")),
]
