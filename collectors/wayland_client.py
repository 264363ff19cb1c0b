"""A small pywayland connection for collectors: the globals the compositor offers, and non-blocking event
reading for a select() loop. Import only where a Wayland session was found (pywayland loads libwayland)."""

from __future__ import annotations

import os
import select
from typing import Any

from pywayland.client import Display


class WaylandConnection:
    """One client connection. `globals` maps interface name -> (global name, version) after connect."""

    def __init__(self, display_name: str | None = None):
        self.display = Display(display_name or os.environ.get("WAYLAND_DISPLAY"))
        self.display.connect()
        self.globals: dict[str, tuple[int, int]] = {}
        self.registry = self.display.get_registry()
        self.registry.dispatcher["global"] = self._global
        self.display.roundtrip()

    def _global(self, _registry: Any, name: int, interface: str, version: int) -> None:
        self.globals[interface] = (name, version)

    def bind(self, interface_cls: Any, max_version: int | None = None) -> Any:
        name, version = self.globals[interface_cls.name]
        return self.registry.bind(name, interface_cls, min(version, max_version or interface_cls.version))

    def fileno(self) -> int:
        return self.display.get_fd()

    def pump(self) -> None:
        """Dispatch every event that has arrived, without blocking; raises when the compositor is gone."""
        self.display.dispatch(block=False)
        readable, _, _ = select.select([self.fileno()], [], [], 0)
        if readable:
            self.display.read()
            if self.display.dispatch(block=False) < 0:
                raise ConnectionError("the Wayland connection failed")
        if self.display.flush() < 0:
            raise ConnectionError("the Wayland compositor closed the connection")

    def close(self, event_created: list[Any] | tuple[Any, ...] = ()) -> None:
        """Disconnect. Proxies the compositor created through events (`event_created`) are destroyed first:
        pywayland attaches those to the first live registry's display, which may be another connection's,
        so disconnecting this one would not free them and a later garbage collection would crash."""
        for proxy in event_created:
            try:
                proxy.destroy()
            except Exception:  # noqa: BLE001, S110 - already gone
                pass
        try:
            self.display.disconnect()
        except Exception:  # noqa: BLE001, S110 - the compositor may already be gone
            pass
        self.registry = None  # drop the registry now (its dispatcher refers back to us)


def offered(interface: str) -> str | None:
    """None when the compositor offers `interface`, else why not (a short connection, then closed)."""
    if not os.environ.get("WAYLAND_DISPLAY"):
        return "WAYLAND_DISPLAY is not set (not a Wayland session)"
    try:
        conn = WaylandConnection()
    except Exception as exc:  # noqa: BLE001 - any failure means "cannot use it"
        return f"cannot connect to the Wayland display {os.environ.get('WAYLAND_DISPLAY')} ({exc})"
    try:
        if interface not in conn.globals:
            return f"the compositor does not offer {interface}"
    finally:
        conn.close()
    return None
