"""kombu's Redis transport, made to survive the loss of its broker with tasks in hand.

With late acknowledgement, a worker holds the messages of the tasks it runs. When Redis goes
away, Celery 5.7's consumer first collects the broken connection (which forgets the broker's
address) and then closes it; closing gives the held messages back to Redis, which reads that
address: AttributeError, "Unrecoverable error", and the worker exits (issue 14). Here the give-
back is skipped when the connection was collected: Redis itself still lists those messages as
unacknowledged and hands them out again after the visibility timeout, if it kept them, and the
outbox publishes again what a restarted, empty Redis lost (workers/outbox.py).
"""

import logging

from kombu.transport import TRANSPORT_ALIASES, redis

logger = logging.getLogger(__name__)


class QoS(redis.QoS):
    def restore_unacked(self, client=None):
        if self.channel.connection.client is None:
            logger.warning(
                "Broker connection lost with %d unacknowledged message(s): left to the "
                "visibility timeout and the outbox",
                len(self._delivered),
            )
            self._delivered.clear()
            return
        super().restore_unacked(client)


class Channel(redis.Channel):
    QoS = QoS


class Transport(redis.Transport):
    Channel = Channel


def use_for_redis_urls() -> None:
    """Make redis:// and rediss:// broker URLs use this transport."""
    for scheme in ("redis", "rediss"):
        TRANSPORT_ALIASES[scheme] = f"{__name__}:Transport"
