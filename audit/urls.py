"""`/audit/`: the log, and the filtered view as CSV or JSON."""

from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.audit_list, name="list"),
    path("export.csv", views.audit_export_csv, name="export-csv"),
    path("export.json", views.audit_export_json, name="export-json"),
    path("verify/", views.audit_verify, name="verify"),
]
