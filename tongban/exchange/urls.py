from django.urls import path

from . import views

app_name = "exchange"

urlpatterns = [
    path("resources/", views.catalogue, name="catalogue"),
    path("resources/<str:code>/", views.resource, name="resource"),
    path("resources/<str:code>/request/", views.request_new, name="request_new"),
    path("requests/", views.requests, name="requests"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
]
