"""Tokens of connected accounts, encrypted at rest in a JetStream key-value bucket.

Tokens never enter the event log and are never logged: the event log says *that* an account is
connected; this store holds *how* to reach it, encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under
``CHORUS_SECRET_KEY``. Services that talk to networks (ingest, publisher) read it over NATS, so the
bucket is the one place a token exists besides the network itself.
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from nats.js import JetStreamContext
from nats.js.api import KeyValueConfig, StorageType
from nats.js.errors import BucketNotFoundError, KeyNotFoundError, NoKeysError

from chorus.events.values import Network

BUCKET = "chorus_credentials"


class SecretKeyError(ValueError):
    pass


def load_key(value: str) -> bytes:
    """Validate a ``CHORUS_SECRET_KEY`` value (a Fernet key: 32 bytes, url-safe base64)."""
    try:
        raw = base64.urlsafe_b64decode(value.encode())
    except (ValueError, TypeError):
        raw = b""
    if len(raw) != 32:
        raise SecretKeyError("CHORUS_SECRET_KEY must be 32 bytes in url-safe base64; "
                             "make one with: python -c 'import cryptography.fernet as f; print(f.Fernet.generate_key().decode())'")
    return value.encode()


def generate_key() -> str:
    return Fernet.generate_key().decode()


@dataclass(frozen=True)
class Credentials:
    """How to reach one account: its tokens by kind (community, user, bot, page, ...) and plain settings."""

    account_id: str
    workspace_id: str
    network: Network
    external_id: str
    tokens: dict[str, str] = field(repr=False)
    settings: dict[str, Any] = field(default_factory=dict)
    #: Bumped at every (re)connection, so "token expired" is reported once per connection.
    generation: int = 1

    def __repr__(self) -> str:  # never show a token, even in a traceback
        kinds = ", ".join(sorted(self.tokens))
        return (f"Credentials(account_id={self.account_id!r}, network={self.network.value!r}, "
                f"external_id={self.external_id!r}, tokens=[{kinds}], generation={self.generation})")

    def token(self, kind: str) -> str | None:
        return self.tokens.get(kind)

    def to_json(self) -> bytes:
        return json.dumps({"account_id": self.account_id, "workspace_id": self.workspace_id,
                           "network": self.network.value, "external_id": self.external_id,
                           "tokens": self.tokens, "settings": self.settings,
                           "generation": self.generation}).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Credentials:
        raw = json.loads(data)
        return cls(account_id=raw["account_id"], workspace_id=raw["workspace_id"], network=Network(raw["network"]),
                   external_id=raw["external_id"], tokens=raw["tokens"], settings=raw.get("settings", {}),
                   generation=raw.get("generation", 1))


@dataclass(frozen=True)
class Secret:
    """A secret that is not an account's token: an alert destination's signing key, bot token, password."""

    name: str
    workspace_id: str
    values: dict[str, str] = field(repr=False)
    settings: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Secret(name={self.name!r}, workspace_id={self.workspace_id!r}, values=[{', '.join(sorted(self.values))}])"

    def to_json(self) -> bytes:
        return json.dumps({"name": self.name, "workspace_id": self.workspace_id, "values": self.values,
                           "settings": self.settings}).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Secret:
        raw = json.loads(data)
        return cls(name=raw["name"], workspace_id=raw["workspace_id"], values=raw["values"],
                   settings=raw.get("settings", {}))


#: Keys of other secrets start with this; account ids never contain a dot.
_SECRET_PREFIX = "secret."


def destination_secret_name(destination_id: str) -> str:
    """Where an alert destination's secret is kept: the inbox writes it, the monitor reads it."""
    return f"destination.{destination_id}"


class CredentialStore:
    """Encrypted credentials by account id, and other named secrets, in the ``chorus_credentials`` bucket."""

    def __init__(self, js: JetStreamContext, key: bytes) -> None:
        self._js = js
        self._fernet = Fernet(key)
        self._kv = None

    async def _bucket(self):
        if self._kv is None:
            try:
                self._kv = await self._js.key_value(BUCKET)
            except BucketNotFoundError:
                self._kv = await self._js.create_key_value(KeyValueConfig(
                    bucket=BUCKET, description="Encrypted tokens of connected accounts", history=1,
                    storage=StorageType.FILE))
        return self._kv

    async def put(self, credentials: Credentials) -> None:
        kv = await self._bucket()
        await kv.put(credentials.account_id, self._fernet.encrypt(credentials.to_json()))

    async def get(self, account_id: str) -> Credentials | None:
        if account_id.startswith(_SECRET_PREFIX):
            return None
        kv = await self._bucket()
        try:
            entry = await kv.get(account_id)
        except KeyNotFoundError:
            return None
        if entry is None or not entry.value:
            return None
        return self._decrypt(entry.value)

    async def delete(self, account_id: str) -> None:
        kv = await self._bucket()
        try:
            await kv.purge(account_id)
        except KeyNotFoundError:
            pass

    async def all(self) -> list[Credentials]:
        kv = await self._bucket()
        try:
            keys = await kv.keys()
        except NoKeysError:
            return []
        found = [await self.get(k) for k in keys if not k.startswith(_SECRET_PREFIX)]
        return [c for c in found if c is not None]

    async def put_secret(self, secret: Secret) -> None:
        kv = await self._bucket()
        await kv.put(_SECRET_PREFIX + secret.name, self._fernet.encrypt(secret.to_json()))

    async def get_secret(self, name: str) -> Secret | None:
        kv = await self._bucket()
        try:
            entry = await kv.get(_SECRET_PREFIX + name)
        except KeyNotFoundError:
            return None
        if entry is None or not entry.value:
            return None
        try:
            return Secret.from_json(self._fernet.decrypt(entry.value))
        except InvalidToken:
            raise SecretKeyError("a stored secret cannot be decrypted with this CHORUS_SECRET_KEY") from None

    async def delete_secret(self, name: str) -> None:
        await self.delete(_SECRET_PREFIX + name)

    def _decrypt(self, blob: bytes) -> Credentials:
        try:
            return Credentials.from_json(self._fernet.decrypt(blob))
        except InvalidToken:
            raise SecretKeyError("stored credentials cannot be decrypted with this CHORUS_SECRET_KEY; "
                                 "use the key they were stored with, or reconnect the accounts") from None
