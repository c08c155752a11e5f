"""Ctrl-C that is never lost and never cuts a commit in half.

A store transaction runs inside :func:`deferred_interrupt`: a SIGINT that arrives meanwhile is
held and re-delivered to the previous handler (Python's default raises ``KeyboardInterrupt``) as
soon as the transaction has committed or rolled back. Everywhere else Ctrl-C raises
``KeyboardInterrupt`` at once, which the command line turns into exit code 130.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["deferred_interrupt"]


@contextmanager
def deferred_interrupt() -> Iterator[None]:
    """Hold SIGINT for the duration of the block, then deliver it to the handler it was for.

    Only the main thread can own signal handlers; elsewhere, and where SIGINT is ignored or not
    handled by Python, the block runs unchanged. Nested blocks deliver once, at the outermost end.

    Example:
      >>> with deferred_interrupt():
      ...     pass  # a Ctrl-C here raises KeyboardInterrupt after the block, not inside it
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    if not callable(previous):  # SIG_IGN, SIG_DFL or a handler installed outside Python
        yield
        return
    held: list[tuple[int, FrameType | None]] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        held.append((signum, frame))

    signal.signal(signal.SIGINT, hold)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if held:
            previous(*held[0])
