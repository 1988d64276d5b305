"""Django's PostgreSQL backend (settings.DATABASES ENGINE), checking each pooled connection it
takes.

A connection that died with the server while idle in the pool would fail the request that gets
it once PostgreSQL is back. psycopg_pool can check connections itself (Django's
CONN_HEALTH_CHECKS), but after a failed check it pauses a second before the next, and each
connection opened before the outage fails its check in turn: with two of them the request
times out. Here the first dead one discards all the others at once.
"""

import psycopg
from django.db.backends.postgresql import base
from psycopg_pool import ConnectionPool


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        if self.pool is None:
            return connection
        try:
            # One empty statement: a round trip.
            ConnectionPool.check_connection(connection)
        except psycopg.Error:
            self.pool.putconn(connection)  # broken: the pool closes and replaces it
            self.pool.check()  # and the others idle since before the same outage
            connection = super().get_new_connection(conn_params)
        return connection
