"""Builds the monitor service from its settings and the backbone runtime (the composition root).

Components:
- ``projection-monitor-workspace-rules``: each workspace's latest rules and destinations;
- ``projection-monitor-mention-stats``: the statistics behind ``/stats/mentions``;
- ``monitor-items``: classifies comments, messages and mentions in batches, raises negative and spike alerts;
- ``monitor-channel-health``: token-expired and ingest-gap alerts;
- ``monitor-alert-dispatch``: schedules each ``alert.raised`` for its rule's destinations;
- ``monitor-delivery``: delivers them (one task per destination);
- ``monitor-test-destination``: answers the inbox's "send a test" requests.

Tests pass fakes for the classifier, the secrets, the senders and the clock.
"""
from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from chorus.backbone.consumer import ConsumerOptions, EventConsumer, subscriptions_for
from chorus.backbone.projection import ProjectionRunner
from chorus.backbone.service import Runtime, Wiring
from chorus.events import AccountTokenExpired, AlertRaised, DestinationKind, IngestGapRecorded, utcnow
from chorus.monitor import entrypoints
from chorus.monitor.adapters.alert_book import SqlAlertBook
from chorus.monitor.adapters.classifier import Classifier, LexiconClassifier
from chorus.monitor.adapters.deliveries import DeliveryQueue
from chorus.monitor.adapters.email import EmailSender
from chorus.monitor.adapters.senders import CredentialSecrets, Secrets, Sender
from chorus.monitor.adapters.telegram import TelegramSender
from chorus.monitor.adapters.webhook import WebhookSender
from chorus.monitor.config import Settings
from chorus.monitor.delivery import DeliveryWorker
from chorus.monitor.domain import ITEM_EVENTS
from chorus.monitor.stats import MentionStatsProjection
from chorus.monitor.workspace_rules import RulesCache, WorkspaceRulesProjection
from chorus.networks.credentials import CredentialStore

log = logging.getLogger(__name__)


def default_senders(settings: Settings, secrets: Secrets) -> dict[DestinationKind, Sender]:
    timeout = settings.delivery.timeout_s
    return {
        DestinationKind.WEBHOOK: WebhookSender(secrets, timeout_s=timeout),
        DestinationKind.TELEGRAM: TelegramSender(secrets, api_base=settings.telegram_api,
                                                 default_token=settings.telegram_bot_token,
                                                 language=settings.alert_language, timeout_s=timeout),
        DestinationKind.EMAIL: EmailSender(secrets, settings.smtp, language=settings.alert_language, timeout_s=timeout),
    }


def _create_tables(runtime: Runtime, book: SqlAlertBook, queue: DeliveryQueue) -> None:
    WorkspaceRulesProjection().create_tables(runtime.engine)
    MentionStatsProjection().create_tables(runtime.engine)
    book.create_tables()
    queue.create_tables()


async def bootstrap(settings: Settings, runtime: Runtime, *, classifier: Classifier | None = None,
                    secrets: Secrets | None = None, senders: Mapping[DestinationKind, Sender] | None = None,
                    clock: Callable[[], datetime] = utcnow) -> Wiring:
    engine, js, store = runtime.engine, runtime.js, runtime.store
    classifier = classifier or LexiconClassifier()
    rules = RulesCache(engine)
    book, queue = SqlAlertBook(engine), DeliveryQueue(engine)
    await asyncio.to_thread(_create_tables, runtime, book, queue)
    await asyncio.to_thread(classifier.classify_many, ["Сбербанк, спасибо!", "thanks"])  # load dictionaries now
    if secrets is None:
        if settings.secret_key is None:
            log.warning("CHORUS_SECRET_KEY is not set: alert destinations' secrets (signing keys, bot tokens, "
                        "SMTP passwords) cannot be read, and deliveries needing one will wait")
        credentials = CredentialStore(js, settings.secret_key) if settings.secret_key else None
        secrets = CredentialSecrets(credentials)
    senders = dict(senders) if senders is not None else default_senders(settings, secrets)
    worker = DeliveryWorker(queue, senders, rules, store, settings.delivery, clock)
    monitor = entrypoints.Monitor(
        js=js, engine=engine, classifier=classifier, rules=rules, book=book, queue=queue, worker=worker,
        senders=senders, clock=clock, max_age=timedelta(minutes=settings.alert_max_age_minutes),
        language=settings.alert_language, send_timeout_s=settings.delivery.timeout_s)
    max_deliver = settings.common.max_deliver
    components = [
        ProjectionRunner(WorkspaceRulesProjection(), engine, js, on_applied=rules.invalidate),
        ProjectionRunner(MentionStatsProjection(), engine, js),
        EventConsumer("monitor-items", subscriptions_for(*ITEM_EVENTS), None, js, store,
                      ConsumerOptions(batch=settings.batch, max_deliver=max_deliver),
                      batch_handler=functools.partial(entrypoints.on_items, monitor)),
        EventConsumer("monitor-channel-health", subscriptions_for(AccountTokenExpired, IngestGapRecorded),
                      functools.partial(entrypoints.on_channel_event, monitor), js, store,
                      ConsumerOptions(max_deliver=max_deliver)),
        EventConsumer("monitor-alert-dispatch", subscriptions_for(AlertRaised),
                      functools.partial(entrypoints.on_alert, monitor), js, store, ConsumerOptions(max_deliver=max_deliver)),
        worker,
        entrypoints.rpc_server(settings.common.nats_urls, monitor),
    ]

    async def on_stop() -> None:
        await worker.close()

    return Wiring(components=components, routes=entrypoints.routes(runtime.read_engine), on_stop=on_stop)
