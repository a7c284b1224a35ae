"""Inbox read latency at scale: 1,000,000 conversations on SQLite and PostgreSQL.

    python bench/inbox.py [--conversations 1000000] [--samples 200] [--engine sqlite|postgres|both]

Seeds the inbox's read-model tables directly with bulk inserts (SQLite: executemany in 50,000-row
transactions, the FTS index built once at the end; PostgreSQL: COPY, indexes built after loading), one
inbound message per conversation with Russian/English text, 10 workspaces, 4 accounts each, 5% tagged.
The user measured is a manager of 3 of the 10 workspaces. Then it prints p50/p95 latency of:

- the inbox list (open conversations, newest first, first page),
- a filtered list (one workspace, one network, negative sentiment),
- a search (a word in about 1% of messages, in another word form than the query),
- a conversation page,
- two more searches: the same word in the default (open) tab, and a word that is in no message (what
  search-as-you-type sends on a typo),

each through the views layer (what a route calls) and through HTTP (a real uvicorn server on loopback,
logged in with a session cookie; the page is rendered). Goal (issue 5): p95 under 50 ms for each.
PostgreSQL is ``CHORUS_TEST_POSTGRES_URL``, the machine's server at 127.0.0.1:5432, or the embedded one.
"""
from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))

from sqlalchemy import text

from chorus.backbone.db import make_engine
from chorus.inbox import admin, views
from chorus.inbox.adapters import people
from chorus.inbox.adapters.engine import tune
from chorus.inbox.projection import ddl
from chorus.inbox.projection.inbox import InboxProjection, search_id
from chorus.inbox.projection.tables import conversations, messages, search, tags
from chorus.inbox.search import lemma, words
from chorus.inbox.views import Filters, Scope

WORKSPACES = [f"ws{i}" for i in range(10)]
NETWORKS = ["vk", "telegram", "x", "facebook"]
KINDS = {"vk": "comment", "telegram": "message", "x": "mention", "facebook": "comment"}
VOCAB = ["здравствуйте", "когда", "будет", "заказ", "спасибо", "отличный", "сервис", "кофе", "очередь", "магазин", "скидка", "акция", "вопрос", "ответ", "почему", "долго", "ждать", "курьер", "оплата", "карта", "возврат", "деньги", "приложение", "не", "работает", "хорошо", "плохо", "вкусно", "дорого", "hello", "order", "thanks", "great", "service", "coffee", "queue", "store", "discount", "question", "answer", "why", "long", "wait", "courier", "payment", "card", "refund", "money", "app", "broken", "good", "bad", "tasty", "expensive", "please", "today", "tomorrow"]
RARE = ["доставку", "доставкой", "доставки"]  # the searched word, in several forms, in ~1% of messages
PASSWORD = "bench-password-1"


def seed_rows(n: int, seed: int = 7):
    rng = random.Random(seed)
    base = datetime(2026, 11, 1, tzinfo=UTC)
    lemma_of = {w: lemma(w) for w in VOCAB + RARE}
    for i in range(n):
        ws = WORKSPACES[i % 10]
        net = NETWORKS[(i // 10) % 4]
        account = f"{net}-{ws}"
        kind = KINDS[net]
        cid = f"c{i:023d}"
        body = rng.sample(VOCAB, 8)
        if rng.random() < 0.01:
            body[3] = rng.choice(RARE)
        msg = " ".join(body).capitalize() + "?"
        at = base + timedelta(seconds=i * 2 + rng.random())
        status = "closed" if rng.random() < 0.3 else "open"
        assignee = f"user{rng.randrange(5)}" if rng.random() < 0.3 else None
        sentiment = rng.choice(["positive", "neutral", "negative"])
        conv = (cid, ws, account, net, kind, f"t{i}", f"Автор {i % 9973}", msg, "in", 1, at, at, at, sentiment,
                status, assignee)
        key = f"{account}:{kind}:{i}"
        message = (key, cid, ws, "in", str(i), f"Автор {i % 9973}", msg, at)
        lemmas = " ".join(lemma_of.get(w, lemma(w)) for w in words(msg))
        tag = (cid, rng.choice(["доставка", "vip", "жалоба", "вопрос"]), ws) if rng.random() < 0.05 else None
        yield conv, message, (search_id(key), key, cid, ws, lemmas, at), tag


CONV_COLS = ("conversation_id", "workspace_id", "account_id", "network", "kind", "thread_key", "author_name",
             "preview", "last_direction", "message_count", "last_at", "first_inbound_at", "last_inbound_at",
             "sentiment", "status", "assignee_id")
MSG_COLS = ("message_key", "conversation_id", "workspace_id", "direction", "item_id", "author_name", "text", "at")
SEARCH_COLS = ("search_id", "message_key", "conversation_id", "workspace_id", "lemmas", "last_at")
TAG_COLS = ("conversation_id", "tag", "workspace_id")


def _sqlite_seed(engine, n: int) -> None:
    raw = engine.raw_connection()
    cur = raw.cursor()
    cur.execute("DROP TRIGGER IF EXISTS inbox_search_ai")  # the FTS index is built once, after loading
    cur.execute("DROP INDEX IF EXISTS ix_inbox_search_recent")  # so is the recency index
    batches: dict[str, list] = {"c": [], "m": [], "s": [], "t": []}

    def flush():
        cur.execute("BEGIN")
        for table, cols, key in ((conversations, CONV_COLS, "c"), (messages, MSG_COLS, "m"),
                                 (search, SEARCH_COLS, "s"), (tags, TAG_COLS, "t")):
            if batches[key]:
                marks = ",".join("?" * len(cols))
                cur.executemany(f"INSERT INTO {table.name} ({','.join(cols)}) VALUES ({marks})",
                                [tuple(v.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(v, datetime) else v
                                       for v in row) for row in batches[key]])
                batches[key] = []
        cur.execute("COMMIT")

    for i, (conv, msg, srch, tag) in enumerate(seed_rows(n)):
        batches["c"].append(conv)
        batches["m"].append(msg)
        batches["s"].append(srch)
        if tag:
            batches["t"].append(tag)
        if i % 50_000 == 49_999:
            flush()
    flush()
    cur.execute("INSERT INTO inbox_fts(inbox_fts) VALUES ('rebuild')")
    raw.commit()
    raw.close()
    ddl.create_search_index(engine)  # the insert trigger and the recency index again, for live use
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))


def _postgres_seed(engine, n: int) -> None:
    raw = engine.raw_connection()
    pg = raw.driver_connection
    columns: list[list] = [[], [], [], []]
    for row in seed_rows(n):  # generated once, then copied table by table
        for index, value in enumerate(row):
            if value is not None:
                columns[index].append(value)
    with pg.cursor() as cur:
        cur.execute("DROP INDEX IF EXISTS ix_inbox_search_tsv")  # built once, after loading
        cur.execute("DROP INDEX IF EXISTS ix_inbox_search_recent")
        for (table, cols), rows in zip(((conversations, CONV_COLS), (messages, MSG_COLS), (search, SEARCH_COLS),
                                        (tags, TAG_COLS)), columns, strict=True):
            with cur.copy(f"COPY {table.name} ({','.join(cols)}) FROM STDIN") as copy:
                for values in rows:
                    copy.write_row(values)
    pg.commit()
    raw.close()
    ddl.create_search_index(engine)
    # VACUUM as well as ANALYZE: a table that was just loaded has no visibility map yet, so every index-only
    # scan would visit the heap; autovacuum builds it on a live server (after inserts too, PostgreSQL 13+).
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def seed(url: str, n: int):
    engine = tune(make_engine(url))
    InboxProjection().create_tables(engine)
    people.create_tables(engine)
    started = time.perf_counter()
    (_postgres_seed if url.startswith("postgresql") else _sqlite_seed)(engine, n)
    seconds = time.perf_counter() - started
    admin.ensure_user(engine, "bench@example.com", PASSWORD, "Bench Manager",
                      {ws: "manager" for ws in WORKSPACES[:3]})
    return engine, seconds


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


def measure(fn, samples: int) -> tuple[float, float]:
    fn()  # warm the caches once
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return percentiles(times)


def view_cases(engine, n: int):
    user_id = None
    with engine.connect() as conn:
        user_id = people.user_by_email(conn, "bench@example.com").user_id
    scope = Scope(user_id, {ws: "manager" for ws in WORKSPACES[:3]})
    rng = random.Random(3)

    def listing(filters):
        def run():
            with engine.connect() as conn:
                rows, _ = views.list_conversations(conn, scope, filters)
                assert rows or filters.q
        return run

    def page():
        i = rng.randrange(n // 10) * 10  # a conversation of ws0
        with engine.connect() as conn:
            conv = views.conversation(conn, scope, f"c{i:023d}")
            views.thread(conn, conv["conversation_id"])
            views.neighbours(conn, scope, conv)
            people.members_of(conn, conv["workspace_id"])
            views.tags_in(conn, [conv["workspace_id"]])

    return {"inbox list": listing(Filters()),
            "filtered list": listing(Filters(workspace="ws1", network="telegram", sentiment="negative")),
            "search": listing(Filters(status="all", q="доставка")),
            "conversation page": page,
            "search, open tab": listing(Filters(q="доставка")),
            "search, no match": listing(Filters(status="all", q="самовывоз"))}


def http_cases(engine, url: str, n: int):
    import httpx
    import uvicorn

    from chorus.backbone.natsserver import free_port
    from chorus.inbox.adapters.live import LiveHub
    from chorus.inbox.config import load
    from chorus.inbox.web.app import build_app
    from chorus.inbox.web.state import Services

    folder = tempfile.mkdtemp(prefix="chorus-bench-")
    settings = load({"CHORUS_DATA_DIR": folder, "DATABASE_URL": url.replace("postgresql+psycopg", "postgresql")})
    services = Services(settings=settings, engine=engine, read_engine=tune(make_engine(url, write=False)), store=None,
                        hub=LiveHub())
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(build_app(services), host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}")
    login = client.get("/login")
    token = login.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    client.post("/login", data={"email": "bench@example.com", "password": PASSWORD, "csrf": token})
    rng = random.Random(5)

    def get(path):
        def run():
            response = client.get(path() if callable(path) else path)
            assert response.status_code == 200, response.status_code
        return run

    cases = {"inbox list": get("/inbox"),
             "filtered list": get("/inbox?workspace=ws1&network=telegram&sentiment=negative"),
             "search": get("/inbox?status=all&q=доставка"),
             "conversation page": get(lambda: f"/c/c{rng.randrange(n // 10) * 10:023d}"),
             "search, open tab": get("/inbox?q=доставка"),
             "search, no match": get("/inbox?status=all&q=самовывоз")}

    def stop():
        client.close()
        server.should_exit = True
        thread.join(10)
    return cases, stop


def run(kind: str, n: int, samples: int) -> list[tuple[str, str, float, float]]:
    from support.databases import database

    results = []
    with tempfile.TemporaryDirectory() as tmp, database(kind, Path(tmp)) as url:
        engine, seconds = seed(url, n)
        print(f"{kind}: seeded {n:,} conversations in {seconds:.1f}s ({n / seconds:,.0f}/s)", flush=True)
        for name, fn in view_cases(engine, n).items():
            results.append((kind, f"views: {name}", *measure(fn, samples)))
        cases, stop = http_cases(engine, url, n)
        try:
            for name, fn in cases.items():
                results.append((kind, f"HTTP:  {name}", *measure(fn, samples)))
        finally:
            stop()
        engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    kinds = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    rows = []
    for kind in kinds:
        rows += run(kind, args.conversations, args.samples)
    print(f"\n{'engine':9} {'query':28} {'p50 ms':>8} {'p95 ms':>8}  goal p95 < 50 ms")
    for kind, name, p50, p95 in rows:
        print(f"{kind:9} {name:28} {p50:8.1f} {p95:8.1f}  {'ok' if p95 < 50 else 'OVER'}")


if __name__ == "__main__":
    asyncio.set_event_loop_policy(None)
    main()
