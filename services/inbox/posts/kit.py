"""What the posts pages need beside the inbox's services, built once by ``bootstrap``."""
from __future__ import annotations

from dataclasses import dataclass

from chorus.inbox.posts.link_preview import LinkPreviewer
from chorus.inbox.posts.media_store import MediaStore
from chorus.inbox.posts.recurring import RecurringPosts


@dataclass
class PostsKit:
    media: MediaStore
    previews: LinkPreviewer
    recurring: RecurringPosts
