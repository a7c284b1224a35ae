"""The worker threads blocking network clients run in (vk_api is blocking; ``asyncio.to_thread`` uses these).

Why not the default ``ThreadPoolExecutor``: it has ``min(32, cores + 4)`` threads (6 here), and every VK
long poll holds one for up to its ``wait``, so a few accounts would starve the rest; and its threads are
joined at interpreter exit, so stopping the service would wait for every long poll in flight. These
threads are daemons, created on demand up to ``max_workers``: a read still in flight when the service
stops is abandoned, which is safe because its result is never stored and its cursor never moved.
"""
from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class DaemonThreadPool(ThreadPoolExecutor):
    """A ``ThreadPoolExecutor`` (asyncio accepts nothing else as its default executor) whose own ``submit``
    and ``shutdown`` replace the parent's thread handling; the parent never starts a thread."""

    def __init__(self, max_workers: int, name: str = "ingest-io") -> None:
        if max_workers < 1:
            raise ValueError("max_workers must be at least 1")
        super().__init__(max_workers=1, thread_name_prefix=name)
        self._max = max_workers
        self._name = name
        self._work: queue.SimpleQueue[tuple[Future, Callable[..., Any], tuple, dict] | None] = queue.SimpleQueue()
        self._idle = threading.Semaphore(0)
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot schedule new work after shutdown")
            future: Future = Future()
            self._work.put((future, fn, args, kwargs))
            if not self._idle.acquire(blocking=False) and len(self._threads) < self._max:
                thread = threading.Thread(target=self._run, name=f"{self._name}-{len(self._threads)}", daemon=True)
                self._threads.append(thread)
                thread.start()
            return future

    def _run(self) -> None:
        while True:
            item = self._work.get()
            if item is None:
                return
            future, fn, args, kwargs = item
            del item
            if not future.set_running_or_notify_cancel():
                self._idle.release()
                continue
            # The thread counts as idle before the caller hears the outcome: a caller that submits again at
            # once then reuses it instead of starting another.
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:  # noqa: BLE001 - handed to whoever awaits the future
                self._idle.release()
                future.set_exception(exc)
            else:
                self._idle.release()
                future.set_result(result)
                del result
            del future

    @property
    def threads(self) -> int:
        return len(self._threads)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop taking work and let idle threads end; never waits for a call in flight (see module doc)."""
        with self._lock:
            self._closed = True
            if cancel_futures:
                while True:
                    try:
                        item = self._work.get_nowait()
                    except queue.Empty:
                        break
                    if item is not None:
                        item[0].cancel()
            for _ in self._threads:
                self._work.put(None)
