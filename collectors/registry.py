"""Builds the configured collectors for the runtime.

    build_collectors(cfg, sink, paused=None) -> list[Collector]

Every collector of the config is in the list, also the ones turned off (state "disabled", the reason names
the key). They share one privacy filter + pause switch (`Emitter`), one input listener (`InputHub`) and the
active-window state the window collector keeps (`FocusState`, used to attribute input and clipboard events).
Nothing platform-specific is imported here; each collector imports its libraries in start().
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from assistant.core.config import Config
from assistant.core.events import Event
from collectors.afk import AfkCollector
from collectors.base import Collector, DisabledCollector
from collectors.browser_endpoint import BrowserEndpoint
from collectors.clipboard import ClipboardCollector
from collectors.idle import idle_source
from collectors.input_counts import InputCollector
from collectors.input_hub import InputHub
from collectors.privacy import Emitter, PrivacyFilter
from collectors.processes import ProcessCollector
from collectors.window import FocusState, WindowCollector

ORDER = ("window", "afk", "input", "processes", "clipboard", "browser_endpoint")
NAMES = {"browser_endpoint": "browser"}


def build_collectors(cfg: Config, sink: Callable[[Event], None],
                     paused: threading.Event | None = None) -> list[Collector]:
    """The collectors named in the config, not yet started. `paused`, if given, is the shared pause switch."""
    emit = Emitter(PrivacyFilter.from_config(cfg), sink, paused)
    focus = FocusState()
    hub = InputHub()
    makers: dict[str, Callable[[], Collector]] = {
        "window": lambda: WindowCollector(emit, focus, cfg["collectors.window.poll_seconds"]),
        "afk": lambda: AfkCollector(emit, idle_source(hub), cfg["collectors.afk.timeout_seconds"]),
        "input": lambda: InputCollector(emit, hub, focus, cfg["collectors.input.bucket_seconds"],
                                        cfg["collectors.input.record_text"]),
        "processes": lambda: ProcessCollector(emit, cfg["collectors.processes.poll_seconds"]),
        "clipboard": lambda: ClipboardCollector(emit, focus, cfg["collectors.clipboard.record_text"]),
        "browser_endpoint": lambda: BrowserEndpoint(emit, cfg["collectors.browser_endpoint.port"]),
    }
    out: list[Collector] = []
    for key in ORDER:
        if cfg[f"collectors.{key}.enabled"]:
            out.append(makers[key]())
        else:
            out.append(DisabledCollector(emit, NAMES.get(key, key),
                                         f"turned off in the config (collectors.{key}.enabled: false)"))
    return out
