from django.urls import path

from tongban.portal import views, workbench

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("services/", views.catalogue, name="catalogue"),
    path("services/<str:code>/", views.guide, name="guide"),
    path("bundles/<slug:code>/", views.bundle, name="bundle"),
    path("search/", views.search, name="search"),
    path("departments/", views.departments, name="departments"),
    path("departments/<slug:code>/", views.department, name="department"),
    path("towns/", views.towns, name="towns"),
    path("towns/<str:code>/", views.town, name="town"),
    path("elder/", views.elder, name="elder"),
    path("language/", views.language, name="language"),
    path("about/", views.about, name="about"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("landing/", workbench.landing, name="landing"),
    path("office/", workbench.workbench, name="workbench"),
]
