from django.urls import path

from . import views

app_name = "access"
urlpatterns = [
    path("users/", views.users, name="users"),
    path("users/<int:user_id>/", views.user, name="user"),
    path("unlock/", views.unlock, name="unlock"),
    path("policy/", views.policy_page, name="policy"),
]
