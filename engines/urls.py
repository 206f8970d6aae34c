from django.urls import path

from . import views

app_name = "engines"

urlpatterns = [
    path("", views.engine_list, name="list"),
    path("add/", views.engine_form, name="add"),
    path("<slug:name>/edit/", views.engine_form, name="edit"),
    path("<slug:name>/check/", views.check_engine, name="check"),
    path("<slug:name>/remove/", views.remove_engine, name="remove"),
]
