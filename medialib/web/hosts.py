"""The Host header: only trusted names may become the site's address, and pages say they vary.

Without `public_base_url` the site builds its absolute links (canonical, feeds, sitemap, oEmbed,
JSON-LD) from the request's host, so a forged `Host: evil.example` must never reach a page: it
is refused with a 400 before any view runs, and every page that names the host says
`Vary: Host`, so a shared cache keeps one copy per trusted host.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from flask import Flask, Response, request

from ..config import Settings
from .context import settings

LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
MAX_HOST = 255
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_PORT = re.compile(r"^[0-9]{1,5}$")
# Files whose bytes never name the host: no Vary, so they stay shared-cacheable.
HOST_FREE_BLUEPRINTS = frozenset({"media"})
HOST_FREE_ENDPOINTS = frozenset({"static"})


def split_host(value: str) -> str | None:
    """The lower-case host name of a Host header ("Example.org:8000" -> "example.org"), or None
    when it is not a well-formed name, IPv4 or [IPv6] address with an optional port."""
    if not value or len(value) > MAX_HOST:
        return None
    text = value.lower()
    if text.startswith("["):
        addr, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not (rest[0] == ":" and _valid_port(rest[1:]))):
            return None
        try:
            return str(ipaddress.IPv6Address(addr))
        except ValueError:
            return None
    name, colon, port = text.partition(":")
    if colon and not _valid_port(port):
        return None
    labels = name.removesuffix(".").split(".")
    if not name or len(name) > 253 or not all(_LABEL.match(label) for label in labels):
        return None
    return name.removesuffix(".")


def _valid_port(port: str) -> bool:
    return bool(_PORT.match(port)) and 0 < int(port) < 65536


def trusted_names(conf: Settings) -> tuple[frozenset[str], tuple[str, ...]]:
    """(exact names, ".suffix" wildcards) the site answers for."""
    names = set(LOOPBACK)
    suffixes = []
    for item in conf.trusted_hosts.split(","):
        item = item.strip().lower()
        if item.startswith("."):
            suffixes.append(item)
        elif item:
            names.add(split_host(item) or item)
    if conf.public_base_url:
        public = urlsplit(conf.public_base_url).hostname
        if public:
            names.add(public.lower())
    return frozenset(names), tuple(suffixes)


def is_trusted(host_header: str, conf: Settings) -> bool:
    """The Host header is well formed and names a host the site answers for."""
    name = split_host(host_header)
    if name is None:
        return False
    names, suffixes = trusted_names(conf)
    return name in names or any(name.endswith(s) or name == s[1:] for s in suffixes)


def request_host() -> str:
    """The raw Host of this request (SERVER_NAME for an HTTP/1.0 request without one)."""
    environ = request.environ
    return str(environ.get("HTTP_HOST") or environ.get("SERVER_NAME") or "")


def refuse_untrusted_host() -> Response | None:
    """A plain 400 (the security headers still follow) for an untrusted or malformed Host."""
    if is_trusted(request_host(), settings()):
        return None
    # Plain text on purpose: the error page would build links from the very host refused.
    return Response("We could not understand that request: unknown host.\n", status=400,
                    mimetype="text/plain")


def vary_on_host(response: Response) -> Response:
    """Pages built from the request's host say so to shared caches."""
    if settings().public_base_url:
        return response
    if request.blueprint in HOST_FREE_BLUEPRINTS or request.endpoint in HOST_FREE_ENDPOINTS:
        return response
    response.vary.add("Host")
    return response


def init_app(app: Flask) -> None:
    # First of the before_request functions: nothing else runs for a refused host.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_untrusted_host)
    app.after_request(vary_on_host)
