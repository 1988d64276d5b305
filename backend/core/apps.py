from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "backend.core"
    label = "core"

    def ready(self):
        from backend import events
        from backend.core.invalidation import invalidate

        events.subscribe(invalidate)
