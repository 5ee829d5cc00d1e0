from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from tongban.core.observability import views as observability

urlpatterns = [
    # Browsers ask for /favicon.ico whatever the page says.
    path("favicon.ico", RedirectView.as_view(url=static("tongban/favicon.svg"), permanent=True)),
    path("healthz", observability.healthz, name="healthz"),
    path("metrics", observability.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("tongban.accounts.urls")),
    path("api/", include("tongban.api.urls")),
    path("manage/catalog/", include("tongban.catalog.urls")),
    path("messages/", include("tongban.notify.urls")),
    path("manage/calendar/", include("tongban.workdays.urls")),
    path("", include("tongban.cases.urls")),
    path("", include("tongban.licences.urls")),
    path("", include("tongban.ratings.urls")),
    path("office/exchange/", include("tongban.exchange.urls")),
    # The person's data-access log (我的数据使用记录) in the personal space.
    path("me/data-access/", include("tongban.exchange.me_urls")),
    # The gateway member systems call (signed requests; OpenAPI at exchange/v1/openapi.json).
    path("exchange/v1/", include("tongban.exchange.gateway_urls")),
    # The public open-data catalogue (resources open to society only).
    path("open-data/", include("tongban.exchange.open_urls")),
    path("", include("tongban.portal.urls")),
]
