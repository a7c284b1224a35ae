"""What checking a composition needs from the workspace, read in one go (``compose.Context``)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Connection

from chorus.inbox.domain import InboxError
from chorus.inbox.posts import store, views
from chorus.inbox.posts.compose import Composition, Context


def load(conn: Connection, workspace_id: str, comp: Composition | None, now: datetime, *,
         lenient_preset: bool = False) -> Context:
    """The workspace's accounts and zone, the composition's uploads and UTM preset.

    ``lenient_preset``: a preset deleted since the composition was made falls back to the workspace's
    default (for occurrences of a series) instead of being refused.
    """
    settings = views.workspace(conn, workspace_id)
    preset = None
    if comp is not None and comp.utm:
        try:
            preset = store.preset_for(conn, workspace_id, comp.utm)
        except InboxError:
            if not lenient_preset:
                raise
            preset = store.preset_for(conn, workspace_id, "default")
    uploads = store.uploads(conn, workspace_id, list(comp.media)) if comp is not None else {}
    return Context(workspace_id, views.accounts_of(conn, workspace_id), uploads, preset, settings["tz"], now)
