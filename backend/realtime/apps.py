from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "backend.realtime"
    label = "realtime"

    def ready(self):
        from backend import events
        from backend.realtime.fanout import broadcast_event
        from backend.realtime.jobs import broadcast_job_progress

        events.subscribe(broadcast_event)
        events.subscribe(broadcast_job_progress)
