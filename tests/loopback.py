"""An aiohttp app on a free port of 127.0.0.1: how the fakes of outside services are served."""
from __future__ import annotations

from aiohttp import web


class LoopbackServer:
    def __init__(self) -> None:
        self._runner: web.AppRunner | None = None

    async def serve(self, app: web.Application) -> str:
        """Start serving `app`; its base URL, e.g. http://127.0.0.1:41234."""
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        return f"http://{host}:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
