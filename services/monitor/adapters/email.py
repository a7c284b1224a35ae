"""E-mail destinations: the alert as a plain-text message over SMTP (stdlib ``smtplib`` in a thread).

Where the SMTP server is: the destination's own settings in the credentials store (``host``, ``port``,
``user``, ``from``, ``security``; its ``password`` token, or ``secret`` as the inbox files it), field by field, else the monitor's defaults
(``CHORUS_SMTP_*``). The monitor's password is only used with the monitor's own server, never sent to a
server a destination names. ``security`` is ``starttls`` (default, port 587), ``ssl`` (465) or ``none``.

The target is one address or several separated by commas. Every attempt of one delivery carries the
same ``Message-ID`` (``<alert_id.destination_id@chorus>``) and ``X-Chorus-Delivery`` header, so a mail
system that deduplicates drops the one possible resend after a crash. A refused recipient or a 5xx answer
is permanent; a 4xx answer, a refused login, a timeout or a connection error is retried.
"""
from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from chorus.events import AlertDestination, AlertRaised, DestinationKind
from chorus.monitor import alert_text
from chorus.monitor.adapters.senders import DestinationSecret, Outcome, Secrets, SecretUnavailable, Sender, redact
from chorus.monitor.config import SmtpDefaults


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    sender: str
    security: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)


def server_for(secret: DestinationSecret | None, defaults: SmtpDefaults) -> SmtpServer | None:
    own = secret.settings if secret else {}
    host = str(own.get("host") or "") or defaults.host
    if not host:
        return None
    same_server = host == defaults.host
    security = str(own.get("security") or defaults.security)
    port = own.get("port") or (defaults.port if same_server else {"ssl": 465, "none": 25}.get(security, 587))
    own_password = (secret.tokens.get("password") or secret.tokens.get("secret")) if secret else None
    password = own_password or (defaults.password if same_server else None)
    user = own.get("user") or (defaults.user if same_server else None)
    return SmtpServer(host=host, port=int(port), sender=str(own.get("from") or defaults.sender), security=security,
                      user=str(user) if user else None, password=password)


def recipients(target: str) -> list[str]:
    found = [parseaddr(part)[1] for part in target.split(",")]
    return [a for a in found if "@" in a and " " not in a]


def compose(alert: AlertRaised, sender: str, to: list[str], delivery_id: str, language: str,
            test: bool) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Subject"] = alert_text.subject(alert, test=test)
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = f"<{delivery_id.replace(':', '.')}@chorus>"
    message["X-Chorus-Delivery"] = delivery_id
    message.set_content(alert_text.message(alert, language, test=test))
    return message


class EmailSender(Sender):
    kind = DestinationKind.EMAIL

    def __init__(self, secrets: Secrets, defaults: SmtpDefaults, *, language: str = "ru",
                 timeout_s: float = 10.0) -> None:
        self.secrets = secrets
        self.defaults = defaults
        self.language = language
        self.timeout_s = timeout_s

    async def send(self, alert: AlertRaised, destination: AlertDestination, *, delivery_id: str,
                   test: bool = False) -> Outcome:
        to = recipients(destination.target)
        if not to:
            return Outcome.failed("the destination has no valid e-mail address")
        try:
            secret = await self.secrets.get(destination.destination_id)
        except SecretUnavailable as exc:
            return Outcome.retry(str(exc))
        server = server_for(secret, self.defaults)
        if server is None:
            return Outcome.retry("no SMTP server: set CHORUS_SMTP_HOST or the destination's host")
        try:
            message = compose(alert, server.sender, to, delivery_id, self.language, test)
        except ValueError as exc:  # a header the mail library refuses (e.g. a malformed sender address)
            return Outcome.failed(f"the message cannot be composed: {exc}")
        hidden = [server.password] if server.password else []
        try:
            await asyncio.to_thread(self._send, server, message)
        except smtplib.SMTPRecipientsRefused as exc:
            return Outcome.failed(redact(f"the server refused the recipients: {list(exc.recipients)}", hidden))
        except smtplib.SMTPAuthenticationError as exc:
            return Outcome.retry(redact(f"the SMTP login was refused ({exc.smtp_code})", hidden))
        except smtplib.SMTPResponseException as exc:
            text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
            reason = redact(f"SMTP {exc.smtp_code}: {text}", hidden)
            return Outcome.failed(reason) if exc.smtp_code >= 500 else Outcome.retry(reason)
        except (smtplib.SMTPException, OSError) as exc:  # connection refused, timeout, TLS trouble
            return Outcome.retry(redact(f"cannot send through {server.host}:{server.port}: "
                                        f"{type(exc).__name__}: {exc}", hidden))
        return Outcome.ok(f"accepted by {server.host} for {', '.join(to)}")

    def _send(self, server: SmtpServer, message: EmailMessage) -> None:
        context = ssl.create_default_context()
        if server.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(server.host, server.port, timeout=self.timeout_s, context=context)
        else:
            client = smtplib.SMTP(server.host, server.port, timeout=self.timeout_s)
        with client:
            if server.security == "starttls":
                client.starttls(context=context)
            if server.user and server.password:
                client.login(server.user, server.password)
            client.send_message(message)
