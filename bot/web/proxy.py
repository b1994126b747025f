"""Who is calling, behind the reverse proxies the settings name (WEB_TRUST_FORWARDED).

X-Forwarded-For is a list every proxy appends to; a client can write anything at its start. Only the
hops the trusted proxies appended are believed: reading from the right, the first address that is not
a trusted proxy is the client's. Without trusted proxies the connection's own address is the client."""
from __future__ import annotations

from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from aiohttp import web

Network = IPv4Network | IPv6Network
LOOPBACK = "127.0.0.1/32,::1/128"


@lru_cache(maxsize=8)
def trusted_networks(setting: str) -> tuple[Network, ...]:
    """The proxies named in WEB_TRUST_FORWARDED: addresses or networks, comma-separated; "true" (the old
    switch) means a proxy on this machine; "" or "false", none. ValueError on anything else."""
    text = setting.strip().lower()
    if text in ("", "false", "0", "no"):
        return ()
    if text in ("true", "1", "yes"):
        text = LOOPBACK
    return tuple(ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip())


def _trusted(address: str, proxies: tuple[Network, ...]) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in proxies)


def client_address(request: web.Request, trust_forwarded: str) -> str:
    """The caller's address: the connection's, or behind trusted proxies (the setting WEB_TRUST_FORWARDED)
    the hop they appended. Rate limits, sign-in lock-outs, logs and the audit log all use this one."""
    proxies = trusted_networks(trust_forwarded)
    remote = request.remote or "unknown"
    if not proxies or not _trusted(remote, proxies):
        return remote
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            return hop[:64]
    return remote


def came_over_https(request: web.Request, trust_forwarded: str) -> bool:
    """Whether the citizen's or organiser's browser used HTTPS: directly, or to a trusted proxy that says so
    (X-Forwarded-Proto as the nearest proxy set it). Cookies are then Secure, and pages carry HSTS."""
    proxies = trusted_networks(trust_forwarded)
    if request.secure:
        return True
    remote = request.remote or ""
    return bool(proxies) and _trusted(remote, proxies) and \
        request.headers.get("X-Forwarded-Proto", "").split(",")[-1].strip().lower() == "https"
