"""The HTTP stack's own floor for the benchmark: a bare aiohttp server whose POST /score reads the body and
answers a fixed JSON body (and GET / answers "Healthy"), on the same event loop policy as the gateway (uvloop
when installed), one process. `python benchmarks/bare_aiohttp.py PORT`."""

from __future__ import annotations

import sys

from aiohttp import web

ANSWER = b'{"Results": [0]}'


async def score(request: web.Request) -> web.Response:
    await request.read()
    return web.Response(body=ANSWER, content_type="application/json")


async def health(request: web.Request) -> web.Response:
    return web.Response(text="Healthy")


def main() -> None:
    app = web.Application()
    app.router.add_post("/score", score)
    app.router.add_get("/", health)
    try:
        import uvloop
    except ImportError:
        loop_factory = None
    else:
        loop_factory = uvloop.new_event_loop
    kwargs = {"loop": loop_factory()} if loop_factory else {}
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None, **kwargs)


if __name__ == "__main__":
    main()
