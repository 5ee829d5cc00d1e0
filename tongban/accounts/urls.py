from django.urls import path

from tongban.accounts import views, views_security

app_name = "accounts"
urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("login/sms/", views.sms_sign_in, name="sms_sign_in"),
    path("login/sms/code/", views.sms_sign_in_code, name="sms_sign_in_code"),
    path("register/", views.register, name="register"),
    path("password/forgot/", views.password_forgot, name="password_forgot"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path("register/business/", views.register_business, name="register_business"),
    path("me/", views.personal_space, name="me"),
    path("business/<int:org_id>/", views.business, name="business"),
    path("business/<int:org_id>/agents/", views.add_agent, name="add_agent"),
    path(
        "business/<int:org_id>/agents/<int:user_id>/remove/",
        views.remove_agent,
        name="remove_agent",
    ),
    # Second factor: the second step of signing in …
    path("two-factor/", views_security.verify, name="second_factor"),
    path("two-factor/key/", views_security.verify_key, name="second_factor_key"),
    path("two-factor/recovery/", views_security.verify_recovery, name="second_factor_recovery"),
    # … and one's own factors and sessions.
    path("me/security/", views_security.security_page, name="security"),
    path("me/security/app/", views_security.enrol_totp, name="enrol_totp"),
    path("me/security/app/remove/", views_security.remove_totp, name="remove_totp"),
    path("me/security/keys/add/", views_security.add_security_key, name="add_security_key"),
    path(
        "me/security/keys/<int:key_id>/remove/",
        views_security.remove_security_key,
        name="remove_security_key",
    ),
    path("me/security/recovery-codes/", views_security.recovery_codes, name="recovery_codes"),
    path("me/security/sign-out-everywhere/", views_security.end_my_sessions, name="end_sessions"),
]
