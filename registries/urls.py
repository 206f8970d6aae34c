from django.urls import path

from . import views

app_name = "registries"

urlpatterns = [
    path("", views.registry_list, name="list"),
    path("add/", views.registry_form, name="add"),
    path("<int:pk>/", views.registry_detail, name="detail"),
    path("<int:pk>/edit/", views.registry_form, name="edit"),
    path("<int:pk>/login/", views.test_login, name="login"),
    path("<int:pk>/remove/", views.remove_registry, name="remove"),
]
