"""The words of alerts, in Russian (the default; most users write Russian) or English.

The structured facts stay in ``AlertRaised.details`` so the inbox can render its own words in the
reader's language; these texts are what a Telegram chat or a mailbox shows. Quoted user text is cut to
``EXCERPT`` characters and never interpreted as markup (messages are sent as plain text).
"""
from __future__ import annotations

from dataclasses import dataclass

from chorus.events import AccountTokenExpired, AlertRaised, AlertRule, IngestGapRecorded
from chorus.monitor.domain import Item

EXCERPT = 280

_KIND = {
    "ru": {"mention": "упоминание", "comment": "комментарий", "message": "сообщение"},
    "en": {"mention": "mention", "comment": "comment", "message": "message"},
}


@dataclass(frozen=True)
class Texts:
    title: str
    summary: str


# Control characters (NUL, escape sequences, bidi overrides) in user text would be refused by Telegram or
# SMTP or garble a terminal; line breaks become spaces through split() below.
_CONTROL = dict.fromkeys([*range(0x20), 0x7F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067,
                          0x2068, 0x2069], " ")


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """One line of user text, without control characters, cut to ``limit`` characters."""
    flat = " ".join(text.translate(_CONTROL).split()) if isinstance(text, str) else ""
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def negative(lang: str, item: Item, score: float, reasons: list[str]) -> Texts:
    kind = _KIND[lang][item.ref.kind.value]
    who = excerpt(item.author_name, 80) or item.author_id
    followers = f"{item.followers:,}".replace(",", " ") if item.followers is not None else None
    if lang == "ru":
        title = f"Негативное {kind}: {who}" if kind != "комментарий" else f"Негативный комментарий: {who}"
        facts = [f"{item.ref.network.value}", f"оценка {score:+.2f}"]
        if followers:
            facts.append(f"подписчиков: {followers}")
    else:
        title = f"Negative {kind} by {who}"
        facts = [f"{item.ref.network.value}", f"score {score:+.2f}"]
        if followers:
            facts.append(f"followers: {followers}")
    return Texts(title, f"«{excerpt(item.text, 200)}» ({', '.join(facts)})")


def spike(lang: str, rule: AlertRule, count: int, baseline: float) -> Texts:
    minutes = rule.window_minutes
    if lang == "ru":
        return Texts(f"Всплеск негатива: {count} за {minutes} мин",
                     f"{count} негативных за {minutes} мин при обычных {baseline:.1f} "
                     f"(правило «{rule.name}», чувствительность ×{rule.sensitivity:g})")
    return Texts(f"Negative spike: {count} in {minutes} min",
                 f"{count} negative items in {minutes} min against a usual {baseline:.1f} "
                 f"(rule \"{rule.name}\", sensitivity x{rule.sensitivity:g})")


_NETWORK = {"vk": "VK", "x": "X", "telegram": "Telegram", "facebook": "Facebook"}


def _account(event: AccountTokenExpired | IngestGapRecorded, name: str | None) -> str:
    return f"{_NETWORK.get(event.network.value, event.network.value)} {name or event.account_id}"


def token_expired(lang: str, event: AccountTokenExpired, name: str | None = None) -> Texts:
    if lang == "ru":
        return Texts(f"Токен недействителен: {_account(event, name)}",
                     f"Токен ({event.token_kind}) перестал работать: {excerpt(event.reason, 200)}. "
                     "Подключите аккаунт заново, иначе новые сообщения не придут.")
    return Texts(f"Token no longer works: {_account(event, name)}",
                 f"The {event.token_kind} token stopped working: {excerpt(event.reason, 200)}. "
                 "Reconnect the account, or new messages will not arrive.")


#: What each ingest source (``IngestGapRecorded.source``; "search:2" is the second search query) reads.
_SOURCE = {
    "ru": {"long_poll": "События сообщества (Long Poll)", "callback": "События сообщества (Callback API)",
           "mentions": "Упоминания", "search": "Поиск по ключевым словам", "feed": "Комментарии к постам",
           "updates": "Сообщения и комментарии бота"},
    "en": {"long_poll": "Community events (Long Poll)", "callback": "Community events (Callback API)",
           "mentions": "Mentions", "search": "Keyword search", "feed": "Comments on posts",
           "updates": "The bot's messages and comments"},
}


def source_name(lang: str, source: str) -> str:
    return _SOURCE[lang].get(source.split(":", 1)[0], source)


def ingest_gap(lang: str, event: IngestGapRecorded, name: str | None = None) -> Texts:
    span = f"{event.gap_from:%Y-%m-%d %H:%M} – {event.gap_to:%Y-%m-%d %H:%M} UTC"
    what = source_name(lang, event.source)
    if lang == "ru":
        return Texts(f"Пропуск в чтении: {_account(event, name)}",
                     f"{what}: нет данных за {span}. Причина: {excerpt(event.reason, 200)}")
    return Texts(f"Reading gap: {_account(event, name)}",
                 f"{what}: no data for {span}. Reason: {excerpt(event.reason, 200)}")


def message(alert: AlertRaised, lang: str, *, test: bool = False) -> str:
    """The plain-text message a chat or a mailbox receives for an alert."""
    lines = []
    if test:
        lines.append("[ТЕСТ] Проверка канала оповещений Chorus — это не настоящее оповещение."
                     if lang == "ru" else "[TEST] Chorus alert destination check - this is not a real alert.")
        lines.append("")
    lines.append(alert.title)
    lines.append(alert.summary)
    url = alert.details.get("url") if isinstance(alert.details, dict) else None
    if url:
        lines.append(str(url))
    if alert.window_from and alert.window_to:
        lines.append(f"{alert.window_from:%Y-%m-%d %H:%M} – {alert.window_to:%Y-%m-%d %H:%M} UTC")
    lines.append(f"{'важность' if lang == 'ru' else 'severity'}: {alert.severity} · {alert.kind.value} · "
                 f"{alert.workspace_id}")
    return "\n".join(lines)


def subject(alert: AlertRaised, *, test: bool = False) -> str:
    return ("[Chorus TEST] " if test else "[Chorus] ") + excerpt(alert.title, 150)
