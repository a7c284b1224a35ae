"""The inbox's ASGI application: pages, form actions, live updates, the JSON API and static files."""
from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from chorus.inbox.web import (
    api,
    calendar_pages,
    composer_pages,
    conversation_pages,
    inbox_pages,
    live,
    login,
    posts_api,
    posts_lists,
    settings_pages,
)
from chorus.inbox.web.auth import session_caller
from chorus.inbox.web.common import not_found, translator_for
from chorus.inbox.web.state import Services

STATIC = Path(__file__).resolve().parent.parent / "static"


async def _not_found(request: Request, exc: Exception) -> Response:
    caller = await session_caller(request) if "app" in request.scope else None
    if request.url.path.startswith("/api/"):
        from starlette.responses import JSONResponse
        return JSONResponse({"error": "not_found", "message": "Not found."}, status_code=404)
    return not_found(request, translator_for(request, caller), caller)


def build_app(services: Services) -> Starlette:
    routes = [*login.routes, *inbox_pages.routes, *conversation_pages.routes, *live.routes, *settings_pages.routes,
              *calendar_pages.routes, *composer_pages.routes, *posts_lists.routes, *api.routes, *posts_api.routes,
              Mount("/static", StaticFiles(directory=str(STATIC)), name="static")]
    app = Starlette(routes=routes, exception_handlers={404: _not_found})
    app.state.services = services
    return app
