from django.urls import path

from tongban.notify import views

app_name = "notify"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.detail, name="message"),
    path("read-all/", views.read_all, name="read_all"),
    path("language/", views.language, name="language"),
]
