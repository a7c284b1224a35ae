"""``photos.getWallUploadServer`` / ``photos.saveWallPhoto``: VK's three-step photo upload for wall posts.

The upload itself is a multipart POST of the ``photo`` field to the returned ``upload_url`` (see
``uploads.py``); it answers ``{server, photo, hash}`` which the client passes to ``photos.saveWallPhoto``.
"""
from __future__ import annotations

from typing import Any

from chorus.emulators.vk.call import Call, method
from chorus.emulators.vk.errors import VkError, param_error
from chorus.emulators.vk.objects import photo_object
from chorus.emulators.vk.world import USER, Photo

WALL_ALBUM = -14


@method("photos.getWallUploadServer", USER)
def get_wall_upload_server(call: Call) -> dict[str, Any]:
    group_id = call.int("group_id", 0, minimum=0)
    if group_id:
        call.community(group_id)
    ticket = call.world.new_upload(owner_id=-group_id if group_id else call.token.owner_id)
    return {"upload_url": f"{call.base_url}/vk-upload/photo/{ticket}", "album_id": WALL_ALBUM,
            "user_id": call.token.owner_id}


@method("photos.saveWallPhoto", USER)
def save_wall_photo(call: Call) -> list[dict[str, Any]]:
    upload = call.world.uploads.get(call.text("hash"))
    if upload is None or upload.get("data") is None:
        raise VkError(100, "hash is invalid")
    if str(upload["server"]) != call.params.get("server", ""):
        raise param_error("server", "is invalid")
    group_id = call.int("group_id", 0, minimum=0)
    owner_id = -group_id if group_id else call.token.owner_id
    if owner_id != upload["owner_id"]:
        raise param_error("group_id", "does not match the upload server")
    photo = Photo(call.world.next_id(), owner_id, WALL_ALBUM, call.world.now(), upload["data"],
                  upload["content_type"])
    call.world.photos[photo.id] = photo
    del call.world.uploads[call.params["hash"]]
    return [photo_object(photo)]
