from django.urls import path

from opennrm.accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/login/", views.login_view, name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("accounts/2fa/", views.otp_view, name="otp"),
    path("accounts/2fa/setup/", views.otp_setup_view, name="otp_setup"),
    path("accounts/security/", views.security_view, name="security"),
    path("accounts/tokens/<str:prefix>/revoke/", views.token_revoke_view, name="token_revoke"),
    path("manage/organisations/", views.organisations_view, name="organisations"),
    path("manage/organisations/<int:pk>/", views.organisation_edit_view, name="organisation_edit"),
    path("manage/users/", views.users_view, name="users"),
    path("manage/users/<int:pk>/", views.user_edit_view, name="user_edit"),
]
