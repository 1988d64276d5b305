"""Django's PostgreSQL backend, with a connection pool that rides out an outage (base.py)."""
