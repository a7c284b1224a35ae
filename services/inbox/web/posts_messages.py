"""Refusals of the composer and the calendar in the reader's language: code -> English template.

``common.error_message`` looks codes up here after its own; ``catalog_posts_ru.py`` has the Russian.
"""
from __future__ import annotations

MESSAGES = {
    "post_no_target": "Choose at least one account to post to.",
    "post_account_down": "{account} is not connected: reconnect it in Settings or leave it out.",
    "post_text_huge": "A text may have up to {maximum} characters.",
    "post_campaign": "A campaign name may have up to {maximum} characters.",
    "post_media_count": "A post may have up to {maximum} images.",
    "post_media_missing": "An image of this post is no longer stored. Upload it again.",
    "post_bad_mode": "Choose when to post: now, at a time, in the queue or repeating.",
    "post_no_time": "Pick a date and time.",
    "post_in_past": "{time} is in the past ({zone}). Pick a later time.",
    "post_bad_time": "{value} is not a date and time.",
    "post_locked": "This post is already being sent or is published, so it can no longer be changed.",
    "post_not_cancellable": "Nothing of this post is waiting any more, so there is nothing to cancel.",
    "post_bad_preset": "That UTM preset no longer exists. Choose another one.",
    "bad_preset": "The UTM preset cannot be used: {detail}",
    "bad_slot": "{value} is not a time such as 10:00.",
    "queue_empty": "{account} has no queue times yet. Set them under Queue and UTM.",
    "queue_full": "{account} has no free queue time in the coming year.",
    "bad_recurrence": "Choose daily, weekly or monthly.",
    "bad_recurrence_until": "The series would end before its first post.",
    "not_awaiting": "This post is not waiting for approval.",
    "reject_comment": "Say what to change: the comment goes back with the post.",
    "no_media_store": "This inbox cannot store images.",
    "upload_too_big": "{name} is larger than any network takes ({maximum} MB).",
    "upload_empty": "{name} is empty.",
    "upload_not_image": "{name} is not a JPG, PNG, GIF, WEBP, BMP or TIFF image.",
    "post_empty": "{account}: {network} needs a text or an image. Write a text for it.",
    "post_too_long": "{account}: the text is {length} characters long; {network} takes at most {maximum}.",
    "image_count": "{account}: {network} takes at most {maximum} images per post; this post has {count}.",
    "image_type": "{account}: {name} is not an image that can be posted (JPG, PNG, GIF or WEBP).",
    "image_unreadable": "{account}: {name} is not a readable image.",
    "image_mislabelled": "{account}: {name} is a {actual} file labelled {content_type}.",
    "image_format": "{account}: {network} does not take {format} images ({allowed} only).",
    "image_size": "{account}: {name} is {size} MB; {network} takes at most {maximum} MB.",
    "image_empty": "{account}: {name} has no pixels.",
    "image_pixels": "{account}: {name} is {width}×{height} px; {network} takes at most {maximum} px width plus "
                    "height.",
    "image_ratio": "{account}: {name} is {width}×{height} px, too narrow for {network} (at most 1:20).",
}
