"""A small pool of daemon threads that only talk HTTP, for the run and rollback pipelines.

Unlike :class:`concurrent.futures.ThreadPoolExecutor`, whose threads the interpreter joins at exit, a
stopped run (SIGINT, SIGTERM) can exit while a request Graph has not answered is still in flight: its
intent is journaled without a response, and the next run settles it by re-reading after ``--settle``.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any


class Workers:
    def __init__(self, count: int, name: str = "graph") -> None:
        self._tasks: queue.SimpleQueue[tuple[Future[Any], Callable[[], Any]] | None] = queue.SimpleQueue()
        self._threads = [
            threading.Thread(target=self._serve, name=f"{name}-{i}", daemon=True)
            for i in range(max(1, count))
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, fn: Callable[[], Any]) -> Future[Any]:
        future: Future[Any] = Future()
        self._tasks.put((future, fn))
        return future

    def close(self) -> None:
        """Let the threads end once they are idle; never waits for them."""
        for _ in self._threads:
            self._tasks.put(None)

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _serve(self) -> None:
        while True:
            task = self._tasks.get()
            if task is None:
                return
            future, fn = task
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn())
            except BaseException as exc:  # handed to the main thread, which decides
                future.set_exception(exc)
