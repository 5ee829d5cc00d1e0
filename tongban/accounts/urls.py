from django.urls import path

from tongban.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("register/", views.register, name="register"),
    path("register/business/", views.register_business, name="register_business"),
    path("me/", views.personal_space, name="me"),
    path("business/<int:org_id>/", views.business, name="business"),
    path("business/<int:org_id>/agents/", views.add_agent, name="add_agent"),
    path(
        "business/<int:org_id>/agents/<int:user_id>/remove/",
        views.remove_agent,
        name="remove_agent",
    ),
]
