from django.apps import AppConfig


class WorkersConfig(AppConfig):
    name = "workers"
    verbose_name = "Celery tasks"

    def ready(self):
        from backend import events
        from workers.subscribers import enqueue_background_work

        events.subscribe(enqueue_background_work, in_transaction=True)
