"""``GET /events``: Server-Sent Events with what changed in the caller's workspaces.

Each notice is a JSON object with ids only (``{"kind": "conversation", "conversation_id": ...}``); the page
fetches what it shows through the ordinary, access-checked routes. A comment line every few seconds keeps
proxies from closing an idle stream and lets the server notice a closed tab.
"""
from __future__ import annotations

import asyncio
import json

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from chorus.inbox.web.auth import Caller, services
from chorus.inbox.web.common import page


@page
async def events(request: Request, caller: Caller) -> Response:
    svc = services(request)
    hub = svc.hub
    listener = hub.subscribe(caller.user_id, caller.scope.workspaces)
    heartbeat = svc.settings.sse_heartbeat_s

    async def stream():
        try:
            yield "retry: 2000\n: connected\n\n"
            closed = asyncio.ensure_future(hub.closed.wait())
            getter: asyncio.Future | None = None
            try:
                while not hub.closed.is_set():
                    getter = asyncio.ensure_future(listener.queue.get())
                    done, _ = await asyncio.wait({getter, closed}, timeout=heartbeat,
                                                 return_when=asyncio.FIRST_COMPLETED)
                    if getter not in done:
                        getter.cancel()
                        if closed in done:
                            break
                        yield ": ping\n\n"
                        continue
                    notice = getter.result()
                    yield f"event: {notice['kind']}\ndata: {json.dumps(notice, ensure_ascii=False)}\n\n"
                    if notice["kind"] == "reload":
                        break
            finally:  # also when the browser went away while we waited (the wait is cancelled then)
                closed.cancel()
                if getter is not None:
                    getter.cancel()
        finally:
            hub.unsubscribe(listener)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


routes = [Route("/events", events)]
