from django.urls import path

from . import views

app_name = "stacks"

urlpatterns = [
    path("", views.stack_list, name="list"),
    path("<str:name>/", views.stack_detail, name="detail"),
]
