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

# Data correction (数据纠错) and data quality (tongban.exchange.views_corrections).
from . import views_corrections  # noqa: E402 (appended section)

urlpatterns += [
    path("corrections/", views_corrections.correction_list, name="corrections"),
    path("corrections/<int:pk>/", views_corrections.correction_detail, name="correction"),
    path("resources/<str:code>/correct/", views_corrections.correction_new, name="correction_new"),
    path("quality/", views_corrections.quality_page, name="quality"),
]

# The data authority's member systems and their keys (views_members).
from . import views_members  # noqa: E402

urlpatterns += [
    path("members/", views_members.member_list, name="members"),
    path("members/register/", views_members.member_register, name="member_register"),
    path("members/<str:code>/", views_members.member_detail, name="member"),
    path("members/<str:code>/keys/new/", views_members.member_key_new, name="member_key_new"),
    path(
        "members/<str:code>/keys/<str:key_id>/retire/",
        views_members.member_key_action,
        {"action": "retire"},
        name="member_key_retire",
    ),
    path(
        "members/<str:code>/keys/<str:key_id>/revoke/",
        views_members.member_key_action,
        {"action": "revoke"},
        name="member_key_revoke",
    ),
]

# Exports of the national core metadata for officials (views_open; helper "exp").
from . import views_open  # noqa: E402

urlpatterns += [
    path("exports/national.csv", views_open.national_csv, name="export_national_csv"),
    path("exports/national.xlsx", views_open.national_xlsx, name="export_national_xlsx"),
]

# Reports of a read of a person's data, for the data authority (views_access; helper "dal").
from . import views_access  # noqa: E402

urlpatterns += [
    path("access-reports/", views_access.report_list, name="access_reports"),
    path("access-reports/<int:pk>/", views_access.report_detail, name="access_report"),
]
