"""API keys: with keys configured, every route but the public ones (probes, the /docs page and its static
files, as the route table marks them) needs `Authorization: Bearer <key>`."""

from __future__ import annotations

import hmac
from typing import Awaitable, Callable, Iterable

from aiohttp import web
from aiohttp.typedefs import Middleware

from gateway.errors import Unauthorized

__all__ = ("auth_middleware", "read_keys_file")

CHALLENGE = 'Bearer realm="gateway"'

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def read_keys_file(path: str) -> list[str]:
    """One key per line; blank lines and `#` comments are skipped."""
    with open(path, encoding="utf-8") as handle:
        lines = (line.strip() for line in handle)
        return [line for line in lines if line and not line.startswith("#")]


def auth_middleware(
    keys: Iterable[str], open_paths: Iterable[str] = (), open_prefixes: Iterable[str] = (), *, preflights: bool = False
) -> Middleware:
    """A middleware accepting any of `keys` (two during a rotation), compared in constant time; requests
    for `open_paths`, or under `open_prefixes`, need no key. With `preflights` (CORS configured), a CORS
    preflight needs none either: the CORS layer answers it and no scorer ever sees it. Every other
    request, OPTIONS included, needs the key, so that nothing reaches scoring code or says which
    scorers or routes exist without one."""
    accepted = [key.encode("utf-8") for key in keys]
    paths = frozenset(open_paths)
    prefixes = tuple(open_prefixes)
    if not accepted:
        raise ValueError("auth_middleware needs at least one key")

    @web.middleware
    async def check_key(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path in paths or request.path.startswith(prefixes) or (preflights and _is_preflight(request)):
            return await handler(request)
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("this gateway needs an API key: send 'Authorization: Bearer <key>'", CHALLENGE)
        sent = token.strip().encode("utf-8", "surrogateescape")  # a non-UTF-8 byte is a wrong key, not a 500
        matched = False
        for key in accepted:  # no early exit: the time taken does not say which key (if any) matched
            matched |= hmac.compare_digest(key, sent)
        if not matched:
            raise Unauthorized("the API key is not valid", CHALLENGE + ', error="invalid_token"')
        return await handler(request)

    return check_key


def _is_preflight(request: web.Request) -> bool:
    """A CORS preflight: OPTIONS with the Origin and Access-Control-Request-Method headers browsers send."""
    headers = request.headers
    return request.method == "OPTIONS" and "Origin" in headers and "Access-Control-Request-Method" in headers
