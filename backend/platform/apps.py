from django.apps import AppConfig


class PlatformConfig(AppConfig):
    name = "backend.platform"
    label = "platform"
    verbose_name = "Platform"

    def ready(self):
        from django.db.backends.signals import connection_created

        from backend.platform.metrics import count_sql

        def count_statements(sender, connection, **kwargs):
            # The wrapper stays on the connection object (one per thread), which a pool reuses.
            if count_sql not in connection.execute_wrappers:
                connection.execute_wrappers.append(count_sql)

        connection_created.connect(count_statements, weak=False)
