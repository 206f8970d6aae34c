from django.urls import path

from . import views

app_name = "stacks"

urlpatterns = [
    path("", views.stack_list, name="list"),
    path("new/", views.stack_form, name="new"),
    path("<str:name>/", views.stack_detail, name="detail"),
    path("<str:name>/edit/", views.stack_form, name="edit"),
    path("<str:name>/runs/<str:job_id>/", views.run_page, name="run-job"),
    path("<str:name>/<str:verb>/", views.stack_run, name="run"),
    path("<str:name>/services/<str:service>/<str:verb>/", views.service_run, name="service-run"),
]
