"""/readyz and /metrics beside /healthz, and the latency of every request for /metrics.

/healthz says the process serves; /readyz whether this worker can do its work now (database, Redis)
and how each channel stands; 503 only when the worker itself cannot serve, so a reverse proxy or
an orchestrator keeps a worker in rotation while Zalo alone is down."""
from __future__ import annotations

import time

from aiohttp import web
from aiohttp.typedefs import Handler

from bot import metrics
from bot.web.keys import OPERATIONS

NO_STORE = {"Cache-Control": "no-store"}


def setup(app: web.Application) -> None:
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics_page)
    app.middlewares.append(timed)


async def readyz(request: web.Request) -> web.Response:
    found = await request.app[OPERATIONS].readiness()
    return web.json_response(found.body, status=200 if found.ready else 503, headers=NO_STORE)


async def metrics_page(request: web.Request) -> web.Response:
    body, content_type = await request.app[OPERATIONS].metrics()
    return web.Response(body=body, headers={"Content-Type": content_type, **NO_STORE})


def _route(request: web.Request) -> str:
    """The route's pattern ("/admin/broadcast/{id}"), never the path itself: one series per route."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "unmatched"


@web.middleware
async def timed(request: web.Request, handler: Handler) -> web.StreamResponse:
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        metrics.HTTP_SECONDS.labels(_route(request), f"{status // 100}xx").observe(time.perf_counter() - started)
