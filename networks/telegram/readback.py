"""Finding what a send of unknown outcome created, on a network with no idempotency key.

What the real Bot API allows: a bot cannot read a chat's history and never receives its own messages, so
there is nothing to list. What it can do without changing anything is set a message's inline keyboard to
what it already is (none): for a message the bot sent, Telegram answers "message is not modified"; for
someone else's message "message can't be edited"; for an id with no message "message to edit not found".
Message ids in a chat grow by one per message, so after a send whose answer was lost the adapter probes the
ids after the last one it knew in that chat (the comment it answered, the newest message the reader saw,
or its own last send). A bot message there that this client did not record as one of its own successful
sends is the one whose answer was lost.

What was chosen, and its limits: the journal of attempts and of the bot's own message ids lives in the
client (the publisher's process); a send with no known starting id, or several unexplained bot messages
after it, stays ``OutcomeUnknown`` for a person to check. Chorus never sends keyboards, so clearing one
is never a change. In a channel where the bot may edit every post, any post counts as the bot's.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from aiogram.exceptions import AiogramError, TelegramBadRequest
from aiogram.methods import EditMessageReplyMarkup

from chorus.networks.base import Sent
from chorus.networks.errors import OutcomeUnknown
from chorus.networks.telegram import errors
from chorus.networks.telegram.transport import TelegramTransport

MAX_PROBES = 20
MISSES_TO_STOP = 3
JOURNAL_LIMIT = 10_000


@dataclass
class Attempt:
    chat_id: int
    #: The last message id known in the chat before the send; probing starts after it.
    anchor: int | None
    sent: Sent | None = None


@dataclass
class Journal:
    attempts: OrderedDict[str, Attempt] = field(default_factory=OrderedDict)
    #: Message ids this client's sends created, per chat.
    own: dict[int, set[int]] = field(default_factory=dict)

    def begin(self, key: str, chat_id: int, anchor: int | None) -> Attempt:
        attempt = self.attempts.get(key) or Attempt(chat_id, anchor)
        self.attempts[key] = attempt
        self.attempts.move_to_end(key)
        while len(self.attempts) > JOURNAL_LIMIT:
            self.attempts.popitem(last=False)
        return attempt

    def forget(self, key: str) -> None:
        """The send was refused with a definite answer (rate limit, bad request): nothing to look for."""
        self.attempts.pop(key, None)

    def succeeded(self, attempt: Attempt, message_id: int, sent: Sent) -> None:
        attempt.sent = sent
        self.own.setdefault(attempt.chat_id, set()).add(message_id)

    def last_own(self, chat_id: int) -> int | None:
        return max(self.own.get(chat_id, ()), default=None)


async def probe(transport: TelegramTransport, attempt: Attempt, known: set[int]) -> int | None:
    """The id of the unexplained bot message after ``attempt.anchor``, ``None`` if there is none."""
    if attempt.anchor is None:
        raise OutcomeUnknown("Telegram: no message id is known in that chat to look for the send from; "
                             "check the chat by hand", code="no_anchor")
    found: list[int] = []
    misses = 0
    for message_id in range(attempt.anchor + 1, attempt.anchor + 1 + MAX_PROBES):
        try:
            await transport.bot(EditMessageReplyMarkup(chat_id=attempt.chat_id, message_id=message_id))
        except TelegramBadRequest as error:
            text = error.message.lower()
            if "not modified" in text:
                misses = 0
                if message_id not in known:
                    found.append(message_id)
            elif "not found" in text:
                misses += 1
                if misses >= MISSES_TO_STOP:
                    break
            elif "can't be edited" in text:
                misses = 0
            else:
                raise errors.outcome(error, "editMessageReplyMarkup", write=False) from None
        except AiogramError as error:
            raise errors.outcome(error, "editMessageReplyMarkup", write=False) from None
        else:
            misses = 0  # an edit went through: the bot's message, whose keyboard is now cleared
            if message_id not in known:
                found.append(message_id)
    if len(found) > 1:
        raise OutcomeUnknown(f"Telegram: {len(found)} bot messages of unknown origin follow in that chat; "
                             "check by hand which one is the send", code="ambiguous")
    return found[0] if found else None
