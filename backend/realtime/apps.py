from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "backend.realtime"
    label = "realtime"

    def ready(self):
        from backend import events
        from backend.realtime.fanout import broadcast_event

        events.subscribe(broadcast_event)
