"""Every config key, its type, default and the comment written above it in config.yaml.

A Key's `kind` is one of: bool, int, float, str, choice, duration ("90s", "5m", "1h"; seconds as a number),
regex_list, str_list, regex_map, category_map.
Sections nest one level for collectors (collectors.window.enabled).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Key:
    kind: str
    default: Any
    help: str
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    extra: dict = field(default_factory=dict)


DEFAULT_EXCLUDE_APPS = [  # password managers and authenticators, by family (desktop apps, their process names)
    r"(?i)keepass(xc|2|x)?|keeweb|kpcli",
    r"(?i)1password",
    r"(?i)bitwarden|vaultwarden|goldwarden",
    r"(?i)lastpass",
    r"(?i)enpass",
    r"(?i)seahorse",
    r"(?i)gnome-keyring",
    r"(?i)kwalletmanager",
    r"(?i)pass(word)?[ _-]?(manager|safe|store)|passwordsafe|pwsafe|secrets$|^passwords$|icloud ?passwords",
    r"(?i)dashlane|nordpass|proton-?pass|roboform|keeper(-?password)?|passbolt|authy|buttercup|padloc|psono|"
    r"passky|sticky ?password|zoho ?vault|qtpass|gopass|passage|rbw|authenticator|otpclient",
]
DEFAULT_EXCLUDE_TITLES = [
    # private windows, whatever the browser calls them
    r"(?i)private browsing|\bprivate (window|tab|mode)\b|\bincognito\b|\binprivate\b|\bguest (window|mode)\b",
    r"(?i)\bpassword\b.*\b(manager|vault|safe)\b|\bpasswords? - google\b|\bgoogle password manager\b",
    r"(?i)keepass|keeweb|\bkpcli\b|\benpass\b|icloud ?passwords|\bpasswords\.google\.com\b|\bicloud\.com/passwords\b",
    # password-manager vaults in a browser tab or window (the page title, or its address)
    (r"(?i)\b(1password|bitwarden|vaultwarden|lastpass|dashlane|nordpass|proton ?pass|roboform|passbolt|psono|"
     r"keeper ?(vault|security)|zoho ?vault|buttercup|padloc|passky|sticky ?password)\b|keepersecurity\.com|"
     r"\b1pass\.|app\.keeweb\.info"),
    r"(?i)^(about:logins|(saved )?passwords|logins (and|&) passwords|password checkup)( [-\u2013\u2014] .*)?$",
    # their command-line clients in a terminal title (bw get, op item get, lpass show, pass -c, ...)
    (r"(?i)(^|[:;|&$#>]\s*|\bsudo\s+)(bw|op|lpass|rbw|gopass|pass|passage|keepassxc-cli|kpcli|nordpass|dcli|"
     r"enpass-cli|secret-tool|ykman|oathtool|pass-otp)\s+(-{1,2}[\w-]+\s+)*"
     r"(get|show|unlock|login|item|read|ls|list|edit|generate|otp|export|signin|vault|copy|clip|insert|find|"
     r"lookup|search|totp|code|oath|-c|--clip|-q|--qrcode)\b"),
    r"(?i)(^|[:;|&$#>]\s*)(pass|gopass|passage)\s+[\w.@+-]+/[\w./@+-]+\s*$",  # `pass email/work`: shows it
]

DEFAULT_CATEGORIES = {  # the first category whose rule matches wins; apps are process names, titles words in the
    # window title, sites a page's address or the site's name in its title (ui/categories.py)
    "Coding": {"apps": ["code", "codium", "vim", "nvim", "gvim", "emacs", "pycharm", "idea", "clion", "goland",
                        "kate", "gedit", "sublime_text", "zed", "xterm", "konsole", "gnome-terminal",
                        "gnome-terminal-server", "alacritty", "kitty", "foot", "wezterm", "terminator", "tilix",
                        "jupyter-lab"],
               "sites": ["github.com", "gitlab.com", "stackoverflow.com", "localhost"], "color": "#4e79a7"},
    "Communication": {"apps": ["thunderbird", "evolution", "slack", "discord", "telegram-desktop", "signal-desktop",
                               "element-desktop", "teams", "zoom", "mattermost-desktop", "skypeforlinux"],
                      "sites": ["mail.google.com", "outlook.live.com", "outlook.office.com", "Gmail", "Outlook",
                                "app.slack.com", "teams.microsoft.com", "meet.google.com"], "color": "#59a14f"},
    "Writing": {"apps": ["libreoffice", "soffice", "soffice.bin", "abiword", "obsidian", "logseq"],
                "sites": ["docs.google.com", "Google Docs", "notion.so", "overleaf.com"], "color": "#b07aa1"},
    "Media": {"apps": ["vlc", "mpv", "totem", "spotify", "rhythmbox"],
              "sites": ["youtube.com", "netflix.com", "twitch.tv", "open.spotify.com"], "color": "#e15759"},
    "Browsing": {"apps": ["firefox", "firefox-esr", "chromium", "chrome", "google-chrome", "brave", "epiphany",
                          "vivaldi", "opera", "librewolf", "msedge"], "color": "#f28e2b"},
    "Files": {"apps": ["nautilus", "dolphin", "thunar", "pcmanfm", "nemo"], "color": "#76b7b2"},
}

SCHEMA: dict[str, Any] = {
    "storage": {
        "retention_days": Key("int", 90, "Delete events older than this many days (0 keeps everything).", minimum=0),
        "queue_size": Key("int", 20000, "Events waiting for the writer; beyond this new events are dropped "
                          "and counted.", minimum=100),
        "commit_interval": Key("float", 0.8, "Seconds a new event may wait before it is crash-safe on disk "
                               "(at most 1).",
                               minimum=0.05, maximum=1.0),
        "sync_interval": Key("float", 60.0, "Seconds between SQLite commits; in between, new events go to a small "
                             "append-only spool (crash-safe, far fewer bytes written). 0 commits every "
                             "commit_interval.", minimum=0),
    },
    "collectors": {
        "window": {
            "enabled": Key("bool", True, "Active window title, app and page title of known browsers."),
            "poll_seconds": Key("float", 1.0, "How often the active window is checked.", minimum=0.1),
            "backend": Key("choice", "auto", "Where the active window comes from: 'auto' picks from the session "
                           "(X11, sway, Hyprland, KWin, GNOME, other wlroots compositors); or name one.",
                           choices=("auto", "x11", "sway", "hyprland", "wlr", "kwin", "gnome")),
        },
        "afk": {
            "enabled": Key("bool", True, "Away-from-keyboard detection from input timestamps."),
            "timeout_seconds": Key("float", 180.0, "Idle seconds before you count as away.", minimum=1),
        },
        "input": {
            "enabled": Key("bool", True, "Key, click, scroll counts and shortcut names (no content)."),
            "bucket_seconds": Key("float", 5.0, "Counts are summed over buckets of this many seconds.",
                                  minimum=1),
            "record_text": Key("bool", False, "Opt-in: keep typed text as short bursts per window "
                               "(never in password fields, excluded apps or secret titles)."),
            "evdev": Key("bool", False, "Opt-in on Wayland: count keys, clicks and scrolls from /dev/input "
                         "(needs your user in the 'input' group); key content is never read."),
        },
        "processes": {
            "enabled": Key("bool", True, "App launches and exits."),
            "poll_seconds": Key("float", 10.0, "How often the process list is sampled.", minimum=1),
        },
        "clipboard": {
            "enabled": Key("bool", False, "Opt-in: clipboard kind and length."),
            "record_text": Key("bool", False, "Opt-in: also keep clipboard text (redacted)."),
        },
        "browser_endpoint": {
            "enabled": Key("bool", False, "Opt-in: a loopback-only endpoint a browser extension can post to."),
            "port": Key("int", 0, "Port for the endpoint (0 picks a free one).", minimum=0, maximum=65535),
        },
        "activitywatch_api": {
            "enabled": Key("bool", False, "Opt-in: a loopback-only endpoint speaking ActivityWatch's REST API, so "
                           "its watchers (aw-watcher-web, editor plugins, awatcher) feed this log."),
            "port": Key("int", 5600, "Port for it (5600 is ActivityWatch's; stop aw-server to use it).",
                        minimum=1, maximum=65535),
        },
    },
    "privacy": {
        "exclude_apps": Key("regex_list", DEFAULT_EXCLUDE_APPS, "Apps (regex on the process name) that leave "
                            "no trace."),
        "exclude_titles": Key("regex_list", DEFAULT_EXCLUDE_TITLES, "Window titles (regex) that leave no trace."),
        "secret_patterns": Key("regex_list", [], "Extra regexes whose matches are redacted before storage."),
    },
    "policy": {
        "max_proposals_per_hour": Key("int", 4, "At most this many suggestions are shown per hour.", minimum=0),
        "cooldown_after_reject_minutes": Key("float", 30.0, "Quiet time in the same context after a "
                                             "rejection.", minimum=0),
        "cooldown_after_ignore_minutes": Key("float", 15.0, "Quiet time in the same context after an "
                                             "ignored card.", minimum=0),
        "min_gap_seconds": Key("float", 60.0, "Minimum seconds between two consultations of the model.",
                               minimum=0),
        "stall_seconds": Key("float", 90.0, "A pause this long after typing counts as a stall.", minimum=1),
        "switch_repeat": Key("int", 3, "Switching between the same two windows this often is a signal.",
                             minimum=2),
    },
    "model": {
        "backend": Key("choice", "llama", "Where proposals are worded: 'llama' (local GGUF) or 'openai' "
                       "(an OpenAI-compatible server).", choices=("llama", "openai")),
        "gguf_path": Key("str", "", "A GGUF file to use instead of the embedded SmolLM2-135M-Instruct."),
        "server_url": Key("str", "", "Base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1"),
        "server_model": Key("str", "", "Model name to ask the server for."),
        "api_key_env": Key("str", "", "Name of the environment variable holding the server's API key."),
        "threads": Key("int", 2, "CPU threads for the local model.", minimum=1),
        "context_tokens": Key("int", 2048, "Context window of the local model.", minimum=256),
        "max_tokens": Key("int", 64, "Longest proposal the model may write.", minimum=8),
        "timeout_seconds": Key("float", 20.0, "Give up on a server answer after this long.", minimum=1),
        "propose": Key("choice", "auto", "Whether the model words its own proposal beside the templates: 'auto' "
                       "(yes for a model you chose, no for the tiny embedded one, which measurably did not help), "
                       "'on' or 'off'. Accepted tasks are always carried out by the model.",
                       choices=("auto", "on", "off")),
        "keep_alive": Key("duration", "5m", "How long the model stays loaded after its last use (like Ollama's "
                          "keep_alive): it loads at the first accepted task (or when it words a proposal) and is "
                          "released after this long idle; '0' releases it after every answer."),
        "wait_seconds": Key("float", 0.5, "A decision waits at most this long for the model's own proposal; a "
                            "later answer is used only if you are still at the same place.", minimum=0),
    },
    "judge": {
        "threshold": Key("float", 0.5, "Only candidates the judge scores above this are shown.",
                         minimum=0.0, maximum=1.0),
        "model_dir": Key("str", "", "A judge trained with `proactive judge train` (empty: the shipped one)."),
        "learn_from_labels": Key("bool", True, "Update the judge from your accept/reject answers."),
        "help_gate": Key("bool", True, "Speak only when the judge's help gate (P(help is needed now)) clears its own "
                         "threshold, stored with the judge."),
        "backend": Key("choice", "builtin", "Which judge decides what is shown: 'builtin' (the trained judge) or "
                       "'openai' (a reward model served by an OpenAI-compatible server, asked the ProactiveBench "
                       "paper's reward question; the built-in judge takes over whenever it fails).",
                       choices=("builtin", "openai")),
        "server_url": Key("str", "", "Base URL of the reward model's server, e.g. http://127.0.0.1:8000/v1"),
        "server_model": Key("str", "", "Model name to ask the reward model's server for."),
        "api_key_env": Key("str", "", "Name of the environment variable holding the reward model server's key."),
        "timeout_seconds": Key("float", 10.0, "A decision waits at most this long for the reward model, then the "
                               "built-in judge decides.", minimum=1),
        "max_observations": Key("int", 20, "The most recent observations sent to the reward model.", minimum=1),
        "system_prompt_file": Key("str", "", "A file with the system prompt your reward model was trained with "
                                  "(empty: this app's, in the paper's format)."),
    },
    "assist": {
        "max_tokens": Key("int", 512, "Longest answer the model may write when you accept a task.", minimum=32),
        "read_files": Key("bool", False, "Opt-in: when you accept a task about a file, the model may read that "
                          "file's text (found from the window's process; secrets redacted)."),
        "use_clipboard": Key("bool", False, "Opt-in: when you accept a task, the model may read your clipboard "
                             "text (secrets redacted)."),
        "search_url": Key("str", "https://duckduckgo.com/?q={query}", "Web search for 'Open in browser' on "
                          "search-like tasks; {query} is replaced by the search."),
        "facts": Key("bool", True, "Before the model writes, check facts on this computer (which package provides "
                     "a module, the command's --help, ...) and lead the answer with a Fix built from them; commands "
                     "in the model's text are checked and the unverified ones flagged."),
    },
    "dashboard": {
        "categories": Key("category_map", DEFAULT_CATEGORIES, "Categories of time: name -> apps (process names), "
                          "titles (words in the window title), sites (youtube.com, or a site's name), color, and for "
                          "experts regex (on \"app title\"). The first that matches wins; anything else is 'Other'. "
                          "Edit them in Settings > Categories."),
    },
    "ui": {
        "tray": Key("bool", True, "Show the tray icon and suggestion cards when a display is available."),
        "card_timeout_seconds": Key("float", 45.0, "An unanswered card closes after this long (counted as "
                                    "ignored).", minimum=5),
    },
}
