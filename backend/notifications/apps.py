from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "backend.notifications"
    label = "notifications"

    def ready(self):
        from backend import events
        from backend.notifications.subscribers import notify_people_concerned

        events.subscribe(notify_people_concerned)
