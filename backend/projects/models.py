from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q

from backend.platform.text import LONG_TEXT_MAX_LENGTH, StorableTextValidator


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Projects the user owns or is a member of; staff see every project."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self.all()
        member_of = Membership.objects.filter(user_id=user.pk).values("project_id")
        return self.filter(Q(owner_id=user.pk) | Q(id__in=member_of))


class Project(models.Model):
    """A shared space of tasks; its owner and members see all of them."""

    name = models.CharField(max_length=255, validators=[StorableTextValidator()])
    description = models.TextField(
        blank=True,
        max_length=LONG_TEXT_MAX_LENGTH,
        validators=[MaxLengthValidator(LONG_TEXT_MAX_LENGTH), StorableTextValidator()],
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_projects"
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="projects"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name

    def can_be_changed_by(self, user):
        return user.is_staff or self.owner_id == user.id

    def has_member(self, user):
        return self.memberships.filter(user=user).exists()


class Membership(models.Model):
    """A user's membership of a project. The owner is a member too, from creation on."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="unique_project_member")
        ]
        indexes = [models.Index(fields=["user", "project"])]

    def __str__(self):
        return f"{self.user} in {self.project}"
