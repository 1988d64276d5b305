"""The client's address, as every front door reads it for rate limits and sign-in backoff.

`X-Forwarded-For` is anyone's to write: it is believed only as far back as it was written by a
proxy in TRUSTED_PROXIES. Each proxy appends the address it saw, so the list is read from the
right, past the trusted hops, and the first address a trusted proxy vouches for is the client.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=1)
def _trusted(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _parse(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _is_trusted(address) -> bool:
    return address is not None and any(
        address in network for network in _trusted(tuple(settings.TRUSTED_PROXIES))
    )


def client_address(meta: dict) -> str:
    """The client's address from a request's META (Django's names: REMOTE_ADDR and
    HTTP_X_FORWARDED_FOR)."""
    peer = meta.get("REMOTE_ADDR") or ""
    address = _parse(peer)
    if not _is_trusted(address):
        return peer
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([part for part in forwarded.split(",") if part.strip()]):
        parsed = _parse(hop)
        if parsed is None:
            break  # not an address: nothing further left can be vouched for
        address = parsed
        if not _is_trusted(address):
            break
    return str(address)
