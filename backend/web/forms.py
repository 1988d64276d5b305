"""The web pages' forms: they shape what a person typed; the services decide whether it is valid.

Each form reads the fields the way the REST serializers do, and a service's ValidationError is
shown next to the field it names (`show_errors`).
"""

from django import forms
from django.core.exceptions import ValidationError

from backend.tasks.models import TaskPriority, TaskStatus


def show_errors(form: forms.Form, error: ValidationError, renamed: dict | None = None) -> None:
    """Put a service's errors next to the form's fields; `renamed` maps the service's field
    names (`assignee_id`) to the form's (`assignee`). Others go above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        field = (renamed or {}).get(name, name)
        form.add_error(field if field in form.fields else None, errors)


class SignUpForm(forms.Form):
    username = forms.CharField(max_length=150, widget=forms.TextInput(attrs={"autofocus": True}))
    email = forms.EmailField(label="E-mail address")
    password = forms.CharField(strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label="Password again", strip=False, widget=forms.PasswordInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs["autocomplete"] = "username"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        for name in ("password", "password2"):
            self.fields[name].widget.attrs["autocomplete"] = "new-password"

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        return data


class LogInForm(forms.Form):
    username = forms.CharField(
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class JobForm(forms.Form):
    title = forms.CharField(label="Job title", max_length=255, initial="Process my data")


class ProjectForm(forms.Form):
    name = forms.CharField(max_length=255)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MemberForm(forms.Form):
    username = forms.CharField(label="Username of the new member", max_length=150)


def _assignee_field(members) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label="Assignee",
        choices=[("", "Nobody"), *((member.id, member.username) for member in members)],
        coerce=int,
        empty_value=None,
        required=False,
    )


class NewTaskForm(forms.Form):
    title = forms.CharField(max_length=255)
    priority = forms.ChoiceField(choices=TaskPriority.choices, initial=TaskPriority.MEDIUM)
    due_date = forms.DateTimeField(
        label="Due",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee_id"] = _assignee_field(members)


class TaskChangeForm(forms.Form):
    """One task's status and assignee, on the board; `version` is the one the page showed."""

    status = forms.ChoiceField(choices=TaskStatus.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee_id"] = _assignee_field(members)
