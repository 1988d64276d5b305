from django.apps import AppConfig


class CachingConfig(AppConfig):
    name = "backend.caching"
    label = "caching"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from backend import events
        from backend.caching.invalidation import (
            invalidate,
            membership_changed,
            user_deleted,
            user_saved,
        )
        from backend.projects.models import Membership

        events.subscribe(invalidate)
        # Signals, not events: accounts are also deactivated in the admin, outside any service.
        post_save.connect(user_saved, sender=get_user_model())
        post_delete.connect(user_deleted, sender=get_user_model())
        # Likewise memberships, edited inline on a project in the admin.
        post_save.connect(membership_changed, sender=Membership)
        post_delete.connect(membership_changed, sender=Membership)
