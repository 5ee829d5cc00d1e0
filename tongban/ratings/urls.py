from django.urls import path

from . import views

app_name = "ratings"

urlpatterns = [
    path("rate/<str:number>/", views.rate, name="rate"),
    path("rate/<str:number>/thanks/", views.thanks, name="thanks"),
    path("rate/<str:number>/follow-up/<int:pk>/", views.follow_up, name="follow_up"),
    path("office/ratings/", views.office, name="office"),
    path("office/ratings/<int:pk>/", views.ticket, name="ticket"),
    path("office/ratings/<int:pk>/appeal/", views.appeal, name="appeal"),
    path("manage/ratings/appeals/", views.appeals, name="appeals"),
    path("manage/ratings/appeals/<int:pk>/", views.appeal_decide, name="appeal_decide"),
    path("manage/ratings/export.json", views.export_json, name="export_json"),
    path("manage/ratings/export.csv", views.export_csv, name="export_csv"),
    path("ratings/", views.statistics, name="statistics"),
]
