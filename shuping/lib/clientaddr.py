"""The client's address, as far as the operator's proxies vouch for it.

Behind a reverse proxy REMOTE_ADDR is the proxy's address for everyone, so a
throttle keyed on it would let one attacker lock every user out. The operator names
the header their proxy sets (`CLIENT_ADDRESS_HEADER`, e.g. X-Forwarded-For or
X-Real-IP) and the proxies they trust (`TRUSTED_PROXIES`, addresses or networks).
The header is read only when the request comes from a trusted proxy; in an
X-Forwarded-For chain the rightmost address that is not a trusted proxy is the
client (everything left of it could be forged by the client itself).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(s.strip(), strict=False) for s in spec if s.strip())


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(addr: ipaddress.IPv4Address | ipaddress.IPv6Address | None) -> bool:
    nets = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    return addr is not None and any(addr in net for net in nets)


def client_address(request: Any) -> str:
    if request is None:
        return ""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    header = str(getattr(settings, "CLIENT_ADDRESS_HEADER", "") or "")
    if not header or not _trusted(_parse(remote)):
        return remote
    raw = request.headers.get(header, "")
    hops = [h for h in (p.strip() for p in raw.split(",")) if h]
    for hop in reversed(hops):
        addr = _parse(hop)
        if addr is None:
            return remote  # a malformed chain proves nothing: fall back to the proxy
        if not _trusted(addr):
            return str(addr)
    return str(_parse(hops[0])) if hops else remote
