from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "backend.jobs"
    label = "jobs"
    verbose_name = "Background work"

    def ready(self):
        from backend import events
        from backend.jobs.live import broadcast_job_progress

        events.subscribe(broadcast_job_progress)
