from django.urls import path

from . import acceptance, views

app_name = "cases"

urlpatterns = [
    path("apply/<str:kind>/<str:code>/", views.apply, name="apply"),
    path("me/cases/", views.my_cases, name="my_cases"),
    path("me/cases/<str:number>/", views.my_case, name="my_case"),
    path("me/cases/<str:number>/withdraw/", views.withdraw, name="withdraw"),
    path("me/cases/<str:number>/submitted/", views.submitted, name="submitted"),
    path(
        "me/cases/<str:number>/notices/<str:notice>.pdf",
        acceptance.notice_pdf_view,
        name="acceptance_notice",
    ),
    path("cases/<str:number>/receipt.pdf", views.receipt, name="receipt"),
    path("status/", views.status, name="status"),
    path("materials/<int:pk>/", views.material, name="material"),
    path("office/inbox/", views.inbox, name="inbox"),
    path("office/work/<int:pk>/", views.work_item, name="work_item"),
]
