"""Russian and English: the interface's language per user, defaulting to the browser's Accept-Language.

Messages are written in English in templates and code (``_('Inbox')``); ``catalog_ru.py`` maps each to
Russian. A message with ``{placeholders}`` is filled after translation; the result is escaped by the
template like any other text.
"""
from __future__ import annotations

from chorus.inbox.web.catalog_ru import RU

LOCALES = ("en", "ru")
#: Strings the browser script needs, by key.
JS_STRINGS = {
    "sending": "Sending…", "failed": "Something went wrong; try again.", "too_long": "Too long for {network}: {n} of {max}",
    "new_items": "New activity", "offline": "Live updates paused; reconnecting…", "reload": "Reload the page",
    "reply_to": "Reply to {name}",
}


class Translator:
    def __init__(self, locale: str) -> None:
        self.locale = locale if locale in LOCALES else "en"
        self._table = RU if self.locale == "ru" else {}

    def p(self, context: str, message: str) -> str:
        """A message whose translation depends on where it is shown (``tab|Open``: "Открытые", not "Открыт")."""
        return self._table.get(f"{context}|{message}", message)

    def __call__(self, message: str, **params: object) -> str:
        text = self._table.get(message, message)
        if params:
            try:
                return text.format(**params)
            except (KeyError, IndexError, ValueError):
                return message.format(**params)
        return text


def negotiate(accept_language: str | None) -> str:
    """The best of our locales for an Accept-Language header (q-values honoured); English by default."""
    best, best_q = "en", -1.0
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        lang = tag.strip().lower().split("-")[0]
        q -= position * 1e-3  # earlier wins among equal q
        if lang in LOCALES and q > best_q:
            best, best_q = lang, q
    return best


def locale_for(user_locale: str | None, accept_language: str | None) -> str:
    return user_locale if user_locale in LOCALES else negotiate(accept_language)
