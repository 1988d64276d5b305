"""The fault tools do what the resilience tests rely on: a cut proxy breaks open connections and
refuses new ones until restored; a killed Redis comes back empty on the same port."""

import psycopg
import pytest
import redis

from tests.faults import RedisServer, TcpProxy


def test_proxy_forwards_then_cut_breaks_and_restore_heals():
    with TcpProxy(5432) as proxy:
        url = f"host=127.0.0.1 port={proxy.port} user=postgres dbname=postgres connect_timeout=2"
        with psycopg.connect(url) as connection:
            assert connection.execute("SELECT 1").fetchone() == (1,)
            proxy.cut()
            with pytest.raises(psycopg.OperationalError):
                connection.execute("SELECT 1")
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(url)
        proxy.restore()
        with psycopg.connect(url) as connection:
            assert connection.execute("SELECT 1").fetchone() == (1,)


def test_redis_server_killed_and_started_again_on_the_same_port():
    with RedisServer() as server:
        client = redis.Redis.from_url(server.url, socket_timeout=1)
        client.set("kept", "no")
        server.stop()
        with pytest.raises(redis.ConnectionError):
            client.ping()
        server.start()
        assert client.get("kept") is None
