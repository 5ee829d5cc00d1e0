from django.urls import path

from . import views

app_name = "licences"

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("licences/keys.json", views.keys_json, name="keys"),
    path("me/licences/", views.wallet, name="wallet"),
    path("me/licences/<str:number>/", views.wallet_detail, name="detail"),
    path("me/licences/<str:number>/licence.pdf", views.wallet_pdf, name="pdf"),
    path("me/licences/<str:number>/share/", views.wallet_share, name="share"),
    path("office/licences/", views.office_list, name="office_list"),
    path("office/licences/issue/", views.office_issue, name="office_issue"),
    path("office/licences/<str:number>/", views.office_detail, name="office_detail"),
]
