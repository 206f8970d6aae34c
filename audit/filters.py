"""Filtering the audit log: by user, action, outcome, target, engine and date range."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import AuditEntry


class AuditFilterForm(forms.Form):
    user = forms.CharField(label="User", required=False, max_length=150)
    action = forms.ChoiceField(label="Action", required=False)
    outcome = forms.ChoiceField(
        label="Outcome",
        required=False,
        choices=[("", "any"), *AuditEntry.Outcome.choices],
    )
    target = forms.CharField(label="Target", required=False, max_length=512)
    engine = forms.CharField(label="Engine", required=False, max_length=64)
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="Until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        actions = AuditEntry.objects.order_by().values_list("action", flat=True).distinct()
        self.fields["action"].choices = [("", "any"), *((a, a) for a in sorted(actions))]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "the end of the range is before its start")
        return data

    def filter(self, entries: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
        if not self.is_valid():
            return entries.none()
        data = self.cleaned_data
        if data["user"]:
            entries = entries.filter(username=data["user"])
        if data["action"]:
            entries = entries.filter(action=data["action"])
        if data["outcome"]:
            entries = entries.filter(outcome=data["outcome"])
        if data["target"]:
            entries = entries.filter(
                Q(target_name__icontains=data["target"]) | Q(target_id__startswith=data["target"])
            )
        if data["engine"]:
            entries = entries.filter(endpoint=data["engine"])
        zone = timezone.get_current_timezone()
        if data["since"] and data["since"] > date.min:  # year 1 in UTC can be out of range
            entries = entries.filter(
                started_at__gte=datetime.combine(data["since"], time.min, tzinfo=zone)
            )
        if data["until"] and data["until"] < date.max:
            end = datetime.combine(data["until"] + timedelta(days=1), time.min, tzinfo=zone)
            entries = entries.filter(started_at__lt=end)
        return entries
