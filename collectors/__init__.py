"""Collectors: OS sources that turn desktop activity into `assistant.core.events.Event`s (no storage here).

Entry point for the runtime: `collectors.registry.build_collectors(cfg, sink, paused=None)`.
Every event passes `collectors.privacy` (exclusions + `assistant.core.redact`) before it reaches the sink.

Sources: window (active window, browser page titles; X11 or a Wayland backend picked from the session, see
window_backends), afk, input (counts, shortcut names, opt-in text; opt-in evdev on Wayland), processes (app
launches/exits), clipboard (opt-in), browser_endpoint (opt-in loopback HTTP), activitywatch_api (opt-in
loopback endpoint for ActivityWatch watchers). aw_import reads ActivityWatch exports for `proactive import`.
Platform libraries (python-xlib, pynput, pywinctl) are imported lazily inside each collector's start/run.
"""
