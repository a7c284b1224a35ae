"""The VK API methods the emulator implements; importing this package registers them in ``call.METHODS``."""
from chorus.emulators.vk.methods import (  # noqa: F401
    groups,
    messages,
    newsfeed,
    photos,
    stats,
    users,
    wall,
)
