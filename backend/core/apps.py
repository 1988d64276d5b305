from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "backend.core"
    label = "core"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from backend import events
        from backend.core.invalidation import invalidate, user_deleted, user_saved

        events.subscribe(invalidate)
        # Signals, not events: accounts are also deactivated in the admin, outside any service.
        post_save.connect(user_saved, sender=get_user_model())
        post_delete.connect(user_deleted, sender=get_user_model())
