from tests.realtime.conftest import close_database_pool  # noqa: F401 - the session's pool
