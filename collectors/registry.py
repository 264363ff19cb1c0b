"""Builds the configured collectors for the runtime.

    build_collectors(cfg, sink, paused=None, env=None) -> list[Collector]

Every collector of the config is in the list, also the ones turned off (state "disabled", the reason names
the key). They share one privacy filter + pause switch (`Emitter`), one input listener (`InputHub`, or the
opt-in `EvdevHub` on Wayland) and the active-window state the window collector keeps (`FocusState`, used to
attribute input and clipboard events).

The session (`collectors.session.detect`: XDG_SESSION_TYPE, XDG_CURRENT_DESKTOP, the sockets present) picks
the backends: the window backend (`collectors.window_backends.choose`, or `collectors.window.backend`), the
idle source (on Wayland the compositor's idle protocol or GNOME's IdleMonitor, with the screensaver over
D-Bus for the lock) and input (on Wayland only the opt-in evdev path can see input). Nothing
platform-specific is imported here; each collector imports its libraries in start().
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping

from assistant.core.config import Config
from assistant.core.events import Event
from collectors import window_backends
from collectors.activitywatch_api import ActivityWatchApi
from collectors.afk import AfkCollector
from collectors.base import Collector, DisabledCollector
from collectors.browser_endpoint import BrowserEndpoint
from collectors.clipboard import ClipboardCollector
from collectors.evdev_input import EvdevHub
from collectors.idle import HubIdle, idle_source
from collectors.input_counts import InputCollector
from collectors.input_hub import InputHub
from collectors.privacy import Emitter, PrivacyFilter
from collectors.processes import ProcessCollector
from collectors.session import Session, detect
from collectors.wayland_idle import FirstAvailable, MutterIdle, WaylandIdle, lock_probes
from collectors.window import FocusState, WindowCollector

ORDER = ("window", "afk", "input", "processes", "clipboard", "browser_endpoint", "activitywatch_api")
NAMES = {"browser_endpoint": "browser", "activitywatch_api": "activitywatch"}
WAYLAND_INPUT = ("input counts: not available on Wayland without access to input devices (to opt in, be in "
                 "the 'input' group and set collectors.input.evdev: true)")


def _wayland_idle(session: Session, timeout: float, evdev: EvdevHub | None) -> FirstAvailable:
    sources = [MutterIdle()] if session.compositor == "gnome" else []
    sources.append(WaylandIdle(timeout))
    if evdev is not None:
        sources.append(HubIdle(evdev))  # type: ignore[arg-type]
    return FirstAvailable(*sources)


def build_collectors(cfg: Config, sink: Callable[[Event], None], paused: threading.Event | None = None,
                     env: Mapping[str, str] | None = None,
                     refused: Callable[[str], None] | None = None) -> list[Collector]:
    """The collectors named in the config, not yet started. `paused`, if given, is the shared pause switch;
    `refused(reason)` hears of every event the validator turned away."""
    emit = Emitter(PrivacyFilter.from_config(cfg), sink, paused, refused)
    session = detect(env)
    focus = FocusState()
    hub = InputHub()
    evdev = EvdevHub() if session.wayland and cfg["collectors.input.evdev"] else None
    out: list[Collector] = []

    def covered() -> set[str]:  # what running built-in collectors already watch (the AW endpoint defers)
        return {c.name for c in out if c.state == "running" and c.name in ("window", "afk")}

    def afk() -> Collector:
        timeout = cfg["collectors.afk.timeout_seconds"]
        if session.wayland:
            return AfkCollector(emit, _wayland_idle(session, timeout, evdev), timeout, lock_probe=lock_probes())
        return AfkCollector(emit, idle_source(hub), timeout)

    def input_() -> Collector:
        bucket, text = cfg["collectors.input.bucket_seconds"], cfg["collectors.input.record_text"]
        if session.wayland:
            if evdev is None:
                return DisabledCollector(emit, "input", WAYLAND_INPUT)
            return InputCollector(emit, evdev, focus, bucket, False)  # type: ignore[arg-type]
        return InputCollector(emit, hub, focus, bucket, text)

    makers: dict[str, Callable[[], Collector]] = {
        "window": lambda: WindowCollector(emit, focus, cfg["collectors.window.poll_seconds"],
                                          backend=window_backends.choose(cfg["collectors.window.backend"], session),
                                          last_input=None if session.wayland else hub.input_seen),
        "afk": afk,
        "input": input_,
        "processes": lambda: ProcessCollector(emit, cfg["collectors.processes.poll_seconds"]),
        "clipboard": lambda: ClipboardCollector(emit, focus, cfg["collectors.clipboard.record_text"]),
        "browser_endpoint": lambda: BrowserEndpoint(emit, cfg["collectors.browser_endpoint.port"]),
        "activitywatch_api": lambda: ActivityWatchApi(emit, cfg["collectors.activitywatch_api.port"], covered),
    }
    for key in ORDER:
        if cfg[f"collectors.{key}.enabled"]:
            out.append(makers[key]())
        else:
            out.append(DisabledCollector(emit, NAMES.get(key, key),
                                         f"turned off in the config (collectors.{key}.enabled: false)"))
    return out
