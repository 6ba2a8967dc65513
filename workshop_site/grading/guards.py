"""Stop a learner's runaway code: a query cap and a wall-clock limit.

Both raise exceptions derived from ``BaseException``, so a learner's ``except Exception:``
inside a loop cannot swallow them.

The wall-clock limit has to work inside a Jupyter kernel on Linux, macOS and Windows,
where the code runs in the kernel's main thread and ``SIGALRM`` alone is not enough
(Windows has none, and a signal does not stop a long SQL statement). A watchdog thread,
when time is up:

1. interrupts the SQLite connection (``sqlite3.Connection.interrupt()`` is the one
   method meant to be called from another thread), which ends a long statement;
2. raises :class:`TimeLimitExceeded` in the graded thread: on POSIX, when that is the
   main thread (a kernel's), by sending it ``SIGALRM``, whose handler raises — that also
   ends a blocking call such as ``time.sleep()`` or a socket read; elsewhere (Windows,
   other threads) with ``PyThreadState_SetAsyncExc``, which ends a Python loop (a blocking
   call is only left when it returns).

It raises again every half second, ten times at most, in case a bare ``except:``
swallowed it.
"""

from __future__ import annotations

import ctypes
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["QueryCapExceeded", "TimeLimitExceeded", "QueryCap", "time_limit"]

_REPEAT_SECONDS = 0.5
# Then give up: a thread that swallows every exception cannot be stopped from Python.
_REPEATS = 10


class QueryCapExceeded(BaseException):
    """The learner's code ran more queries than the exercise allows at most."""

    def __init__(self, cap: int) -> None:
        super().__init__(f"stopped after {cap} queries")
        self.cap = cap


class TimeLimitExceeded(BaseException):
    """The learner's code ran past the wall-clock limit."""


class QueryCap:
    """An execute wrapper that raises :class:`QueryCapExceeded` past ``cap`` queries."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.count = 0
        self.tripped = False

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        if self.count > self.cap:
            # Every later query raises too, in case the learner's code caught this one.
            self.tripped = True
            raise QueryCapExceeded(self.cap)
        return execute(sql, params, many, context)


def _set_async_exc(thread_id: int, exc: type[BaseException] | None) -> None:
    # A NULL exception clears one that is pending and not yet raised.
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exc) if exc is not None else None
    )


def _raise_timeout(signum: int, frame: Any) -> None:
    raise TimeLimitExceeded()


class _Watchdog:
    def __init__(self, seconds: float, target: int, interrupt: Callable[[], None]) -> None:
        self.seconds = seconds
        self.target = target
        self.interrupt = interrupt
        self.fired = False
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._watch, name="grading-watchdog", daemon=True)
        self._signal = hasattr(signal, "pthread_kill") and (
            threading.current_thread() is threading.main_thread()
        )
        self._previous: Any = None
        self._stopped = False

    def start(self) -> None:
        if self._signal:
            self._previous = signal.signal(signal.SIGALRM, _raise_timeout)
        self._thread.start()

    def _watch(self) -> None:
        if self._done.wait(self.seconds):
            return
        for _ in range(_REPEATS):
            with self._lock:
                if self._done.is_set():
                    return
                self.fired = True
                try:
                    self.interrupt()
                except Exception:  # a closed connection has nothing to interrupt
                    pass
                # One exception per round: two at once would land the second one in
                # the middle of the clean-up of the first.
                if self._signal:
                    signal.pthread_kill(self.target, signal.SIGALRM)
                else:
                    _set_async_exc(self.target, TimeLimitExceeded)
            if self._done.wait(_REPEAT_SECONDS):
                return

    def stop(self) -> None:
        """Stop watching, clear a pending exception, put the signal handler back.

        Safe twice. The watchdog may deliver one last exception while this runs, so the
        caller retries until it returns (see ``time_limit``).
        """
        if self._stopped:
            return
        with self._lock:
            self._done.set()
        self._thread.join()
        _set_async_exc(self.target, None)
        if self._signal:
            # A SIGALRM still in flight now finds the previous handler; Python skips a
            # tripped signal whose handler is SIG_DFL or SIG_IGN.
            signal.signal(signal.SIGALRM, self._previous)
        self._stopped = True


@contextmanager
def time_limit(
    seconds: float, *, interrupt: Callable[[], None] = lambda: None
) -> Iterator[_Watchdog]:
    """Raise :class:`TimeLimitExceeded` in this thread if the block runs past ``seconds``.

    ``interrupt`` is called from the watchdog thread first (e.g. to interrupt the SQLite
    connection). The yielded watchdog's ``fired`` says whether the limit was reached.
    """
    watchdog = _Watchdog(seconds, threading.get_ident(), interrupt)
    watchdog.start()
    try:
        yield watchdog
    finally:
        while True:
            try:
                watchdog.stop()
                break
            except TimeLimitExceeded:
                continue
