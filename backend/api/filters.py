"""Query-string filters: django-filter parses and validates them, and hands them to the
selectors, which filter and order (one rule for GraphQL and REST)."""

import django_filters
from django import forms
from rest_framework.exceptions import ValidationError

from backend.jobs.models import Job, JobKind, JobStatus
from backend.jobs.selectors import JOB_ORDERINGS
from backend.platform.datetimes import in_utc
from backend.platform.ids import MAX_ID
from backend.projects.models import Project
from backend.projects.selectors import PROJECT_ORDERINGS
from backend.tasks.models import Task, TaskPriority, TaskStatus
from backend.tasks.selectors import TASK_ORDERINGS


class ChoiceInFilter(django_filters.BaseInFilter, django_filters.ChoiceFilter):
    """Comma-separated choices: `?status=pending,in_progress`."""


class IdFilter(django_filters.Filter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=MAX_ID, **kwargs)


class MomentField(django_filters.fields.IsoDateTimeField):
    def to_python(self, value):
        moment = super().to_python(value)
        try:
            return None if moment is None else in_utc(moment)
        except ValueError as error:
            raise forms.ValidationError(str(error), code="out_of_range") from None


class MomentFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 moment, in UTC (backend/platform/datetimes.py)."""

    field_class = MomentField


class CriteriaFilterSet(django_filters.FilterSet):
    """A filterset used as a validated form: `criteria()` is what the selector receives."""

    # query-string name -> selector argument, where they differ
    renamed: dict[str, str] = {}

    def get_form_class(self):
        # The filters are the same on every request, so is their form class: built once per
        # filterset, where django-filter builds it (and a form field per filter) per request.
        form_class = type(self).__dict__.get("_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            type(self)._form_class = form_class
        return form_class

    def criteria(self) -> dict:
        if not self.is_valid():
            raise ValidationError({name: list(errors) for name, errors in self.errors.items()})
        return {
            self.renamed.get(name, name): value
            for name, value in self.form.cleaned_data.items()
            if value not in (None, "", [])
        }


class TaskFilterSet(CriteriaFilterSet):
    status = ChoiceInFilter(choices=TaskStatus.choices, help_text="Comma-separated statuses.")
    priority = ChoiceInFilter(choices=TaskPriority.choices, help_text="Comma-separated priorities.")
    due_after = MomentFilter(help_text="Due at or after (ISO 8601).")
    due_before = MomentFilter(help_text="Due at or before (ISO 8601).")
    start_date = django_filters.DateFilter(help_text="Created on or after this day (UTC).")
    end_date = django_filters.DateFilter(help_text="Created on or before this day (UTC).")
    assignee = IdFilter(help_text="Id of the assignee.")
    project = IdFilter(help_text="Id of the project.")
    search = django_filters.CharFilter(help_text="Words to find in the title or description.")
    overdue = django_filters.BooleanFilter(help_text="true: only overdue tasks; false: none.")
    ordering = django_filters.OrderingFilter(
        fields=[(name, name) for name in TASK_ORDERINGS],
        help_text="Comma-separated fields, `-` first for descending: `-priority,due_date`.",
    )

    renamed = {
        "assignee": "assignee_id",
        "project": "project_id",
        "start_date": "created_from",
        "end_date": "created_until",
    }

    class Meta:
        model = Task
        fields = []


class ProjectFilterSet(CriteriaFilterSet):
    search = django_filters.CharFilter(help_text="Words to find in the name or description.")
    ordering = django_filters.OrderingFilter(
        fields=[(name, name) for name in sorted(PROJECT_ORDERINGS)],
        help_text="Comma-separated fields, `-` first for descending.",
    )

    class Meta:
        model = Project
        fields = []


def export_criteria(data, *, prefix: str = "") -> dict:
    """The criteria of an export: the task list's filters, from a query string or a JSON object
    (where a list may stand for comma-separated values), `prefix` naming them in errors.

    Names the list does not know are refused, lest a misspelt filter export every task; an
    export is in id order whatever `ordering` says.
    """
    if not isinstance(data, dict):
        raise ValidationError({prefix.rstrip(".") or "non_field_errors": ["Expected an object."]})
    unknown = sorted(set(data) - set(TaskFilterSet.base_filters))
    if unknown:
        raise ValidationError({f"{prefix}{name}": ["Unknown filter."] for name in unknown})
    values = {
        name: ",".join(map(str, value)) if isinstance(value, list) else value
        for name, value in data.items()
    }
    try:
        criteria = TaskFilterSet(values).criteria()
    except ValidationError as error:
        raise ValidationError({f"{prefix}{name}": v for name, v in error.detail.items()}) from None
    criteria.pop("ordering", None)
    return criteria


class JobFilterSet(CriteriaFilterSet):
    status = ChoiceInFilter(choices=JobStatus.choices, help_text="Comma-separated statuses.")
    kind = ChoiceInFilter(choices=JobKind.choices, help_text="Comma-separated kinds.")
    search = django_filters.CharFilter(help_text="Words to find in the title or description.")
    start_date = django_filters.DateFilter(help_text="Created on or after this day (UTC).")
    end_date = django_filters.DateFilter(help_text="Created on or before this day (UTC).")
    ordering = django_filters.OrderingFilter(
        fields=[(name, name) for name in JOB_ORDERINGS],
        help_text="Comma-separated fields, `-` first for descending: `-created_at,status`.",
    )

    renamed = {"start_date": "created_from", "end_date": "created_until"}

    class Meta:
        model = Job
        fields = []
