"""Stop a learner's runaway code: a query cap and a time limit.

The time limit counts the graded thread's CPU time (Linux, macOS: its own CPU clock), not
the wall clock: on a loaded machine (a classroom hub, a laptop compiling) a right answer
gets fewer CPU seconds per second, and a wall-clock limit failed it — a verdict that
depended on how busy the machine was. Code that waits instead of computing (a sleep, a
socket with no timeout, threads of its own) uses no CPU in that thread: the wall clock
stops it too, at twice the limit on a quiet machine, up to four times on a loaded one (the
1-minute load per CPU) — so every answer still gets its verdict within a bounded time.
Where a thread's CPU clock can't be read, the wall clock alone counts.

Both raise exceptions derived from ``BaseException``, so a learner's ``except Exception:``
inside a loop cannot swallow them.

The limit has to work inside a Jupyter kernel on Linux, macOS and Windows,
where the code runs in the kernel's main thread and ``SIGALRM`` alone is not enough
(Windows has none, and a signal does not stop a long SQL statement). A watchdog thread,
when time is up:

1. interrupts the SQLite connection (``sqlite3.Connection.interrupt()`` is the one
   method meant to be called from another thread), which ends a long statement;
2. raises :class:`TimeLimitExceeded` in the graded thread: on POSIX, when that is the
   main thread (a kernel's), by sending it ``SIGALRM``, whose handler raises — that also
   ends a blocking call such as ``time.sleep()`` or a socket read; elsewhere (Windows,
   other threads) with ``PyThreadState_SetAsyncExc``, which ends a Python loop (a blocking
   call is only left when it returns). If the learner's code replaced or ignored the
   ``SIGALRM`` handler, ``SIGVTALRM`` (whose handler is the grader's too) does the same;
3. half a second later, if the code is still running — a ``while True: try: ...
   except: continue`` swallows every exception it is sent — every line the learner's code
   runs in that thread raises (``sys.monitoring`` LINE events): the exception caught by the
   bare ``except:`` is raised again by the handler's own line, outside the ``try``, and
   leaves the loop. The exception is sent again every half second meanwhile. That second
   round comes at once when the first exception is gone (freed) while the code still runs:
   Python runs a signal handler in whatever Python code comes next, and where that is a
   function called back from C which discards what it raises — an SQLite trace callback
   (the grader's own runs on every statement), a ``__del__`` — nothing else would stop a
   slow answer before it ends.

A blocking call in C with both signals switched off cannot be ended from inside the
process: a few seconds after the limit the watchdog says so in the cell's output, with what
to do (interrupt, else restart the kernel).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import CodeType
from typing import Any

from workshop_site.lab.capture import _skipped

__all__ = ["QueryCapExceeded", "TimeLimitExceeded", "QueryCap", "time_limit", "STUCK_NOTICE"]

_REPEAT_SECONDS = 0.5
#: Rounds past the limit after which the watchdog tells the learner the kernel is stuck:
_NOTICE_ROUNDS = 6  # three seconds
#: What the watchdog prints when the code is still running that long after its limit.
STUCK_NOTICE = (
    "⏳ The check stopped your code {late:.0f} s ago, but it is still running: it is stuck "
    "in a call Python cannot interrupt{why}. Use Kernel → Interrupt; if nothing changes "
    "within a few seconds, Kernel → Restart Kernel, then run the notebook from the top "
    "(your progress is kept)."
)
#: Whatever the code does, the wall clock stops it at this many times its limit on a quiet
#: machine, and at most ``_MOST_FACTOR`` times on a loaded one (see ``_wall_seconds``).
_WAITING_FACTOR = 2.0
_MOST_FACTOR = 4.0
# sys.monitoring tool ids the trap may take (0-2 and 5 are the debugger's, coverage's,
# the profiler's and the optimizer's by convention).
_TOOL_IDS = (3, 4)


class QueryCapExceeded(BaseException):
    """The learner's code ran more queries than the exercise allows at most."""

    def __init__(self, cap: int) -> None:
        super().__init__(f"stopped after {cap} queries")
        self.cap = cap


class TimeLimitExceeded(BaseException):
    """The learner's code ran past its time limit."""

    def __del__(self) -> None:
        # Freed in the thread it was raised in, while that thread is still under its limit:
        # it did not get out of the block (see ``_Watchdog.lost``).
        try:
            watchdog = _watching.get(threading.get_ident())
            if watchdog is not None:
                watchdog.lost()
        except Exception:  # interpreter shutdown: nothing to stop
            pass


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


#: The signals the watchdog raises with in a main thread: SIGALRM, and SIGVTALRM when the
#: learner's code replaced or ignored SIGALRM's handler.
_SIGNALS: tuple[int, ...] = tuple(
    getattr(signal, name) for name in ("SIGALRM", "SIGVTALRM") if hasattr(signal, name)
)


class _LineTrap:
    """Once armed, every line of the learner's code run by thread ``target`` raises
    :class:`TimeLimitExceeded` (``sys.monitoring``, Python 3.12+): the way out of a loop
    whose bare ``except:`` swallows every exception sent to it."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.tool: int | None = None
        self.armed = False

    def _line(self, code: CodeType, line: int) -> Any:
        if self.armed and threading.get_ident() == self.target and not _skipped(code.co_filename):
            raise TimeLimitExceeded()
        return None

    def arm(self) -> bool:
        monitoring = sys.monitoring
        for tool in _TOOL_IDS:
            try:
                monitoring.use_tool_id(tool, "workshop grader")
            except ValueError:  # taken (a debugger, coverage...)
                continue
            monitoring.register_callback(tool, monitoring.events.LINE, self._line)
            self.armed = True
            monitoring.set_events(tool, monitoring.events.LINE)
            self.tool = tool
            return True
        return False

    def disarm(self) -> None:
        self.armed = False
        tool, self.tool = self.tool, None
        if tool is not None:
            monitoring = sys.monitoring
            monitoring.set_events(tool, 0)
            monitoring.register_callback(tool, monitoring.events.LINE, None)
            monitoring.free_tool_id(tool)


#: The watchdog of each thread whose code runs under a time limit (by thread id).
_watching: dict[int, _Watchdog] = {}


class _Watchdog:
    def __init__(self, seconds: float, target: int, interrupt: Callable[[], None]) -> None:
        self.seconds = seconds
        self.target = target
        self.interrupt = interrupt
        self.fired = False
        #: The learner's code replaced or ignored the grader's SIGALRM handler.
        self.alarm_replaced = False
        #: Wall seconds waited, when the wall clock (not the CPU time) ended the block,
        #: and the CPU seconds the block had used by then.
        self.waited: float | None = None
        self.computed = 0.0
        self._active = True  # the handlers raise only while the block runs
        self._done = threading.Event()
        #: Set by ``stop()``, and once by ``lost()``: the watchdog's wait between rounds ends.
        self._wake = threading.Event()
        self._lost = False
        self._outer: _Watchdog | None = None  # a limit around this one, in the same thread
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._watch, name="grading-watchdog", daemon=True)
        self._signal = (
            bool(_SIGNALS)
            and hasattr(signal, "pthread_kill")
            and (threading.current_thread() is threading.main_thread())
        )
        self._previous: dict[int, Any] = {}
        self._trap = _LineTrap(target)
        self._stopped = False

    def _raise(self, signum: int, frame: Any) -> None:
        # A signal still in flight when the block ended finds the watchdog inactive.
        if self._active:
            raise TimeLimitExceeded()

    def is_ours(self, handler: Any) -> bool:
        return bool(handler == self._raise)

    def start(self) -> None:
        if self._signal:
            for number in _SIGNALS:
                self._previous[number] = signal.signal(number, self._raise)
        self._outer = _watching.get(self.target)
        _watching[self.target] = self
        self._thread.start()

    def lost(self) -> None:
        """A :class:`TimeLimitExceeded` was freed in the graded thread while the block still
        runs: whatever caught it has finished with it (a bare ``except:``), or C code that
        called back into Python discarded it (an SQLite callback, a ``__del__``). The first
        time, the next round starts at once rather than half a second later."""
        if self._active and self.fired and not self._lost:
            self._lost = True
            self._wake.set()

    def _watch(self) -> None:
        if not self._time_is_up():
            return
        rounds = 0
        fired_at = time.monotonic()
        while True:
            with self._lock:
                if self._done.is_set():
                    return
                self.fired = True
                try:
                    self.interrupt()
                except Exception:  # a closed connection has nothing to interrupt
                    pass
                if rounds == 1:
                    self._trap.arm()
                # One exception per round: two at once would land the second one in
                # the middle of the clean-up of the first.
                self._deliver()
            rounds += 1
            if rounds == _NOTICE_ROUNDS:
                self._notice(time.monotonic() - fired_at)
            if self._wake.wait(_REPEAT_SECONDS):
                if self._done.is_set():
                    return
                self._wake.clear()  # woken by ``lost()``, once: the rounds go on

    def _time_is_up(self) -> bool:
        """Wait until the graded thread has used ``seconds`` of CPU time, or the wall
        clock says it is waiting rather than computing; False if the block ended first."""
        clock = _cpu_clock(self.target)
        if clock is None:
            return not self._done.wait(self.seconds)
        began = time.clock_gettime(clock)
        started = time.monotonic()
        deadline = started + _wall_seconds(self.seconds)
        while True:
            try:
                left = self.seconds - (time.clock_gettime(clock) - began)
            except OSError:  # the thread is gone: nothing left to stop
                return False
            wall_left = deadline - time.monotonic()
            if left <= 0:
                return True
            if wall_left <= 0:
                # Mostly waiting (a sleep, a lock, a socket) when it computed for less
                # than half its limit; else a busy machine starved a computing block.
                if self.seconds - left < self.seconds / 2:
                    self.waited = time.monotonic() - started
                    self.computed = self.seconds - left
                return True
            # A thread uses at most one CPU second per second: waiting ``left`` is safe.
            if self._done.wait(min(max(left, 0.02), wall_left)):
                return False

    def _deliver(self) -> None:
        if not self._signal:
            _set_async_exc(self.target, TimeLimitExceeded)
            return
        for number in _SIGNALS:
            if self.is_ours(signal.getsignal(number)):
                signal.pthread_kill(self.target, number)
                return
            self.alarm_replaced = True

    def _notice(self, late: float) -> None:
        why = " (your code switched the grader's alarm off)" if self.alarm_replaced else ""
        try:
            print(STUCK_NOTICE.format(late=late, why=why), file=sys.stderr, flush=True)
        except Exception:  # no output to write to: nothing more to do
            pass

    def stop(self) -> None:
        """Stop watching, disarm, clear a pending exception, put the handlers back.

        Safe twice. The watchdog may deliver one last exception while this starts, so the
        caller retries until it returns (see ``time_limit``).
        """
        self._active = False
        if self._stopped:
            return
        self._trap.armed = False
        with self._lock:
            self._done.set()
            self._wake.set()
        self._thread.join()
        if _watching.get(self.target) is self:
            if self._outer is None:
                del _watching[self.target]
            else:
                _watching[self.target] = self._outer
        self._trap.disarm()
        if not self._signal:
            _set_async_exc(self.target, None)
        else:
            if not self.is_ours(signal.getsignal(_SIGNALS[0])):
                self.alarm_replaced = True
            # A signal still in flight now finds the previous handler; Python skips a
            # tripped signal whose handler is SIG_DFL or SIG_IGN.
            for number, previous in self._previous.items():
                signal.signal(number, previous)
        self._stopped = True


def _cpu_clock(thread: int) -> int | None:
    """The CPU-time clock of ``thread`` (a ``threading.get_ident()``), if readable here."""
    try:
        return time.pthread_getcpuclockid(thread)
    except (AttributeError, OSError):
        return None


def _wall_seconds(seconds: float) -> float:
    """How long a block may run on the wall clock: ``_WAITING_FACTOR`` times ``seconds``,
    more when each CPU has more runnable processes than that (the 1-minute load), at most
    ``_MOST_FACTOR`` times."""
    try:
        per_cpu = os.getloadavg()[0] / (os.cpu_count() or 1)
    except OSError:
        per_cpu = 0.0
    return seconds * min(_MOST_FACTOR, max(_WAITING_FACTOR, per_cpu))


@contextmanager
def time_limit(
    seconds: float, *, interrupt: Callable[[], None] = lambda: None
) -> Iterator[_Watchdog]:
    """Raise :class:`TimeLimitExceeded` in this thread if the block uses more than
    ``seconds`` of this thread's CPU time, or waits far longer (see the module's notes).

    ``interrupt`` is called from the watchdog thread first (e.g. to interrupt the SQLite
    connection). The yielded watchdog's ``fired`` says whether the limit was reached, its
    ``alarm_replaced`` whether the block replaced the grader's ``SIGALRM`` handler.
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
