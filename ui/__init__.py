"""The desktop UI (PySide6): tray icon, suggestion cards, dashboard and settings.

Nothing here is imported on the headless path: `assistant` imports `ui.app.run_tray` only when a tray is wanted.
"""
