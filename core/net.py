"""The client's address, the one function every rate limit and the login lockout (django-axes,
AXES_CLIENT_IP_CALLABLE) read: REMOTE_ADDR, unless the request came from one of TRUSTED_PROXIES (the
intranet's nginx, see deploy/nginx/wuye.conf): then the nearest address of X-Forwarded-For that is
not a trusted proxy, or X-Real-IP when nginx sent only that. A client's own header is never believed."""

import ipaddress

from django.conf import settings


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def _trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def trusted_networks() -> list:
    """TRUSTED_PROXIES as networks: single addresses ("127.0.0.1") or CIDR ("10.0.0.0/24")."""
    networks = []
    for entry in getattr(settings, "TRUSTED_PROXIES", ()):
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            continue
    return networks


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    networks = trusted_networks()
    if not networks or not _trusted(remote, networks):
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    for address in reversed(forwarded):
        if not _trusted(address, networks):
            return address if _valid(address) else remote  # what the proxy appended is an address
    real_ip = request.META.get("HTTP_X_REAL_IP", "").strip()
    if real_ip and not forwarded and _valid(real_ip):
        return real_ip
    return remote


def axes_client_ip(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the same address, or None when there is none (axes stores it in
    an inet column: "unknown" from a request without REMOTE_ADDR would not fit)."""
    address = client_ip(request)
    return address if _valid(address) else None
