"""X protocol errors that a live desktop produces, counted instead of printed.

A request without a reply (watching a window's properties, converting a selection) can name a window that closed
a moment earlier; the X server then answers with BadWindow asynchronously, and python-xlib's default handler
prints "X protocol error: ..." on stderr. Every connection the collectors open installs `QuietErrors`, which
counts them (the collector's status can say how many) and never writes to the terminal.
"""

from __future__ import annotations

import logging
import threading

log = logging.getLogger("collectors")


class QuietErrors:
    """An error handler for `Xlib.display.Display.set_error_handler`: counts, remembers the last kind."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.count = 0
        self.last = ""

    def __call__(self, error: object, request: object = None) -> None:
        with self._lock:
            self.count += 1
            self.last = type(error).__name__
        log.debug("X error ignored: %s", self.last)


def quiet(conn) -> QuietErrors:
    """Install a counting handler on the python-xlib connection `conn` and return it."""
    handler = QuietErrors()
    conn.set_error_handler(handler)
    return handler
