"""Read entities out of observation sentences: files, searches, pages, errors, apps, idling, switching.

Pure and deterministic. Quoted text comes from window titles, which are untrusted: anything that looks like an
instruction, a shell command or a URL is dropped here and never becomes part of a task.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from models.titles import (
    COMPOSE_MARKS,
    INBOX_WORDS,
    REPLY_MARKS,
    SUBJECT_MARKS,
    clean_title,
    error_line,
    shorten,
)

_QUOTED = re.compile(r"(?<![A-Za-z0-9])'(.+?)'(?![A-Za-z0-9])")
_FILE_EXT = ["py", "rb", "js", "ts", "tsx", "jsx", "java", "kt", "c", "h", "cpp", "hpp", "cs", "go", "rs", "php", "swift", "m", "r", "scala", "sh", "ps1", "sql", "html", "css", "scss", "vue", "json", "yaml", "yml", "toml", "ini", "cfg", "xml", "md", "txt", "tex", "rst", "doc", "docx", "odt", "rtf", "pdf", "xls", "xlsx", "csv", "ods", "ppt", "pptx", "odp", "ipynb", "lua", "pl", "dart"]
_FILE = re.compile(r"^[\w.\-/\\ ~]{0,100}\.(" + "|".join(_FILE_EXT) + r")$", re.IGNORECASE)
_BARE_FILE = re.compile(r"(?:(?<![\w.])\.)?\b[\w\-]+\.(" + "|".join(_FILE_EXT) + r")\b")  # '.gitlab-ci.yml' too
_FORGE = re.compile(r"\s*[\u00b7|]\s*(?:GitHub|GitLab|Codeberg|Bitbucket|Gitee)\b")
_FRAMEWORK = re.compile(r"(?i)(node|vue|next|nuxt|react|express|d3|three|chart|ember|backbone|angular|alpine|moment|p5|"
                        r"socket|bootstrap|jquery|svelte|solid|nest|deno)\.js")  # names, not files
_BUILD_TEXT = re.compile(r"(?i)(?:^|[/\\])(?:requirements[\w.-]*|constraints|CMakeLists|robots)\.txt$")
_DOC_EXT = {"md", "txt", "tex", "rst", "doc", "docx", "odt", "rtf", "ppt", "pptx", "odp"}
_LANG = {"py": "Python", "rb": "Ruby", "js": "JavaScript", "ts": "TypeScript", "tsx": "TypeScript",
         "jsx": "JavaScript", "java": "Java", "kt": "Kotlin", "c": "C", "cpp": "C++", "cs": "C#", "go": "Go",
         "rs": "Rust", "php": "PHP", "swift": "Swift", "m": "MATLAB", "r": "R", "scala": "Scala",
         "sh": "shell", "sql": "SQL", "html": "HTML", "css": "CSS", "ipynb": "Python", "lua": "Lua",
         "dart": "Dart"}
# a results page's own title: 'x - Google Search', 'x - 搜索' (Bing), 'x_百度搜索', 'x at DuckDuckGo'
_ENGINE_SUFFIX = r"(?:\s+[-\u2013\u2014]\s+(?:(?:Google|Bing|Baidu|百度)\s*)?(?:Search|搜索)|_百度搜索|\s+at\s+DuckDuckGo)"
_SEARCH_TITLE = re.compile(rf"'([^']+?){_ENGINE_SUFFIX}'")
_SEARCH = [
    re.compile(r"search(?:es|ed|ing)?\s+(?:on\s+)?(?:[A-Z][\w.]*\s+)?for\s+'(.+?)'(?![A-Za-z0-9])"),
    re.compile(r"types?d?\s+'(.+?)'(?![A-Za-z0-9])\s+(?:in|into)\s+the\s+(?:\w+\s+)?search"),
    re.compile(r"search(?:es|ed|ing)?\s+(?:and\s+\w+\s+)?about\s+'(.+?)'(?![A-Za-z0-9])"),  # "searches and reads about"
    # "search results for 'x'", "the search results page titled 'x'", "a search result page regarding 'x'"
    re.compile(rf"search(?:\s+results?)?\s+(?:page\s+)?(?:(?:for|about|on|regarding|titled)\s+)?'(.+?)"
               rf"(?:{_ENGINE_SUFFIX})?'(?![A-Za-z0-9])"),
    re.compile(r"'([^']+?)'\s+(?:[A-Z][\w.]*\s+)?search results"),  # "the 'x' Google search results page"
    _SEARCH_TITLE,
]
_ERROR = re.compile(r"(?i)\b(error|exception|traceback|failed|fails|failing|failure|fatal|cannot|can't|could not|undefined|"
                    r"not found|segmentation fault|panic|denied|invalid|unable to|refused|rejected|no rule to make target|"
                    r"no space left on device|out of memory|operation not permitted|address already in use|"
                    r"unknown (?:directive|option|command|argument|flag)|declared and not used|imported and not used|"
                    r"missing return|(?:request|access|connection|script|content) (?:was |has been |is )?blocked|"
                    r"blocked by cors|"
                    # a system call's error by its name (Node, Python, libc): EADDRINUSE, ECONNREFUSED, ENOENT, ...
                    r"E(?:ACCES|ADDRINUSE|ADDRNOTAVAIL|CONNREFUSED|CONNRESET|NOENT|PERM|NOSPC|TIMEDOUT|EXIST|"
                    r"ISDIR|NOTDIR|MFILE|PIPE|HOSTUNREACH|NETUNREACH|AI_AGAIN|NOTFOUND)|"
                    r"merge conflict|no such file|crash(?:es|ed)?|segfault|core dumped|timed out|"
                    # something that stopped working, as a search says it
                    r"not working|(?:does ?n[o'\u2019]t|won['\u2019]?t|will not) (?:work|start|boot|open|load|connect|print)|"
                    r"stopped working|keeps? (?:crashing|disconnecting|dropping|freezing|restarting)|no sound|"
                    r"(?:kernel|process|server|app|game|computer|laptop|pc|system) (?:died|dies|hangs|freezes)|"
                    # a device or a program that does not do its job, as a troubleshooting search says it
                    r"(?:shows?|says?|is|goes|went|appears?) offline|black screen|stuck (?:on|at) (?:boot|login|\w+ing)|"
                    r"not (?:detected|recogni[sz]ed|responding|printing|charging|syncing|updating|showing up|"
                    r"turning on)|no (?:internet|wi-?fi|signal|audio|display)|"
                    # a browser's own error page
                    r"problem loading page|unable to connect|server not found|can[’']t be reached|"
                    r"secure connection failed)\b|"
                    r"(?-i:\b[A-Z]\w*(?:Error|Exception|Warning)\b|\bCrashLoopBackOff\b|\bOOMKilled\b|\bCONFLICT\b|"
                    r"\bERR!|(?<![\w.])E: |\bFAIL\b|\bMerging: |\b\w+: line \d+: |\b(?:[Ww]arning|WARNING): |"
                    # a server's log level (nginx, Apache) and a compiler's diagnostic: 'main.go:27:2: ...'
                    r"\[(?:emerg|alert|crit)\]|(?<![\w/.-])[\w./-]+\.\w{1,5}:\d+:\d+: |"
                    # a tool's numbered error: TypeScript, C#, the MSVC linker, Oracle, LibreOffice Calc, a cell's
                    r"\b(?:TS|CS|LNK)\d{4}\b|\bORA-\d{5}\b|\bErr:\d{3}\b|"
                    r"(?<![\w#])#(?:REF!|N/A\b|VALUE!|DIV/0!|NAME\?|NUM!|NULL!|SPILL!))")
# a forge's pull or merge request: 'Fix retries by bob · Pull Request #88 · acme/shop', '... (!42) · Merge requests'
_CHANGE_REQUEST = re.compile(r"\u00b7\s+Pull Request #\d+\b|\(!\d+\)\s+\u00b7\s+Merge requests?\b|\bMerge requests? !\d+")
# a video site's page: what it says is in the video, which the title does not tell
_VIDEO_SITE = re.compile(r"(?i)[-|\u2013\u2014\u00b7]\s*(?:YouTube|Vimeo|Twitch|Dailymotion|Netflix|PeerTube|"
                         r"bilibili)\s*$")
_ERROR_TAIL = re.compile(r"(?i)(?:indicating|saying|reads|reading|shows|showing)(?: that)?\s+(.{6,90}?)[.]?$")
_PAGE_CUE = re.compile(r"(?i)\b(reads?|reading|page|tab|article|site|website|docs|documentation|thread|"
                       r"discussion|link|paper|titled|browser|firefox|chrome|edge|safari|brave)\b")
_TYPED = re.compile(r"(?i)\b(?:types?|typing|typed|enters?|entering|entered|inputs?|inputting|inputted)\s+"
                    r"(?:(?:the\s+)?(?:text|words?)\s+)?'(.+?)'(?![A-Za-z0-9])")  # typed text, not a title
_URL = re.compile(r"(?i)\b(?:https?://|www\.|file://|chrome://)|\b[\w-]+\.(?:com|org|net|io|ru|cn|xyz|sh)/")
_INJECTION = re.compile(
    r"(?i)(ignore|disregard|forget|override)\s+(all\s+|any\s+|the\s+)?(previous|prior|above|earlier|your)\b"
    r"|\b(system prompt|you are now|act as|jailbreak|new instructions?)\b"
    r"|\brm\s+-[a-z]*[rf]|\bsudo\b|\bcurl\b[^']*\|\s*(ba)?sh|\bwget\b|\bchmod\b|\bmkfs\b|\bdd\s+if="
    r"|:\(\)\s*\{|\b(powershell|cmd)\s+/c\b|\bexec(ute)?\s+(this|the following|command)"
    r"|\b(run|execute|delete|download|install|send|transfer|paste)\b.{0,40}\b(command|script|files?|"
    r"password|money|bitcoin|key|token|home|everything)\b"
    # text that talks to the assistant or plays a chat role: role markers, chat-template tokens, addresses
    r"|^\W{0,3}(\w+\s){0,2}(system|assistant|developer|user|ai)\s*:|<\|\w{2,20}\|>|\[/?inst\]|<</?sys>>"
    r"|###\s*(instruction|system)|</?(system|assistant|instructions?|prompt)>|\b(system|admin|safety) override\b"
    r"|\bignore (the|this) (page|text|above|title|content)\b"
    r"|\b(dear|hey|note to( the)?|attention|important:?)\s+(ai|a\.i\.|assistant|model|llm|chatbot|gpt|copilot)\b"
    r"|\b(ai|assistant|model|llm|chatbot)\s*,|\b(task|instructions?|message) for (the |this )?(ai|assistant|model|llm)\b"
    r"|\b(you must|from now on|pretend (you|to)|role-?play|respond (only )?with|reply (only )?with|"
    r"(tell|ask|remind|instruct|warn) the user|the user wants you)\b"
    # lures: credentials, codes, money, disabling protection, prizes, executables
    r"|\b(enter|type|confirm|verify|share|send|give|provide)\s+(us\s+)?(your|the)\s+(password|passcode|pin|2fa|"
    r"otp|one-time|code|login|credentials?|bank|card|seed|recovery|api key)"
    r"|\b(disable|turn off|uninstall)\s+(your\s+|the\s+)?(antivirus|firewall|defender|security)\b|\bclick here\b"
    r"|\byou('ve| have)? won\b|\b(wire|transfer)\s+(the\s+)?(money|funds|\$)|\binfected\b"
    r"|\b(download|run|open|install)\b.{0,40}\.(exe|scr|bat|apk|msi)\b"
    r"|~/\.ssh|\bid_rsa\b|/etc/(passwd|shadow)\b")
_APPS = {
    "editor": ["Visual Studio Code", "VS Code", "VSCode", "Code.exe", "PyCharm", "IntelliJ IDEA", "Sublime Text",
               "Vim", "Neovim", "Emacs", "Xcode", "Android Studio", "RStudio", "Jupyter", "Kate", "gedit"],
    "writing": ["Microsoft Word", "Word", "Google Docs", "LibreOffice Writer", "Notion", "Obsidian", "Typora",
                "Overleaf", "Pages", "Scrivener", "Zettlr", "Joplin", "Logseq", "Ulysses", "iA Writer",
                "ONLYOFFICE", "WPS Writer"],
    "mail": ["Outlook", "Thunderbird", "Gmail", "Apple Mail", "Evolution"],
    "chat": ["Slack", "Microsoft Teams", "Teams", "Discord", "WeChat", "Telegram", "WhatsApp", "Signal",
             "Element", "Mattermost", "Zulip"],
    "browser": ["Firefox", "Google Chrome", "Chrome", "Chromium", "Microsoft Edge", "Edge", "Safari", "Brave",
                "Opera", "Vivaldi", "web browser"],
    "terminal": ["Terminal", "Konsole", "iTerm", "PowerShell", "Command Prompt", "Alacritty", "kitty",
                 "GNOME Terminal", "xterm"],
}
_APP_NAMES = {"Code.exe": "Visual Studio Code"}  # a process name as some texts give it -> the app's own name
_APP_RE = {cat: re.compile(r"(?<![\w])(" + "|".join(re.escape(a) for a in sorted(names, key=len, reverse=True))
                           + r")(?![\w])") for cat, names in _APPS.items()}
_IDLE = re.compile(r"(?i)\b(idle|away|inactive|pauses?|paused|stops? typing|stalls?|no activity)\b")
_SWITCH = re.compile(r"(?i)\b(switch(?:es|ed)?|returns?|returned|goes back|went back|back to)\b")


_KEY_NAME = re.compile(r"(?i)^(enter|return|tab|esc|escape|space|backspace|delete|f\d+|"
                       r"(ctrl|cmd|alt|shift|super|win|meta|option)[_+\-\w]*)$")


_COMMAND = re.compile(r"^(python[\d.]*|py|node|deno|bun|ruby|perl|php|bash|sh|zsh|fish|go\s+run|cargo\s+run|java|"
                      r"javac|gcc|g\+\+|clang|make|pytest|npm\s+\w+|npx|yarn|pip[\d.]*|uv|poetry|vim?|nvim|nano|"
                      r"emacs|cat|less|more|tail|head|git\s+\w+|code|open|xdg-open|Rscript|julia|lua|kubectl|docker|helm|"
                      r"terraform|ansible-playbook|gradle|mvn|dotnet|flutter|rustc|tsc)\s", re.I)


_HOST_PATH = re.compile(r"(?i)^(?:https?://)?(?:localhost|\d{1,3}(?:\.\d{1,3}){3}|[\w-]+(?:\.[\w-]+)*\.[a-z]{2,6})"
                        r"(?::\d+)?/")


def file_of(quoted: str) -> str | None:
    """The file a quoted title part names: 'billing.py' -> itself; a shell command such as 'python billing.py'
    -> its file argument (a command is never taken for a file name); anything else -> None."""
    text = quoted.strip()
    if _HOST_PATH.match(text):
        return None  # 'localhost/shop/checkout.php' is a page's address, not a file the user has open
    if _COMMAND.match(text) or any(w.startswith("-") and len(w) > 1 for w in text.split()[1:]):  # options: a command
        args = [a for a in text.split()[1:] if not a.startswith("-")]
        return next((a for a in reversed(args) if _FILE.match(a)), None)
    if not _FILE.match(text) or _FRAMEWORK.fullmatch(text.split()[-1]):
        return None  # 'Express - Node.js' names a framework, not a file
    return text


# page titles that name no content: browser and search furniture, in a few languages
_FURNITURE = frozenset(s.casefold() for s in (
    "new tab", "new window", "untitled", "about:blank", "blank page", "start page", "home", "homepage", "inbox",
    "google", "google search", "bing", "duckduckgo", "search", "mozilla firefox", "google chrome", "chromium",
    "microsoft edge", "safari", "brave", "loading", "loading…", "problem loading page", "private browsing",
    "新建标签页", "新标签页", "标签页", "百度一下，你就知道", "百度", "neuer tab", "nouvel onglet", "nueva pestaña"))
_FRAGMENT = re.compile(r"(?i)^(and|or|on|in|at|to|for|with|from|of|the user|a new|an? |then|while)\b")


# a chat with an AI assistant is not a page with key points ('DeepSeek', 'Kimi.ai - 帮你看更大的世界', 'ChatGPT'),
# nor is a web tool the user works with (a translator, a map, a calculator)
_AI_CHAT = re.compile(r"(?i)^(?:chatgpt|deepseek|kimi(?:\.ai)?|claude|(?:google )?gemini|(?:microsoft )?copilot|"
                      r"perplexity|poe|le chat|mistral|grok|豆包|通义千问|通义|文心一言|智谱清言|腾讯元宝|"
                      r"deepl|google translate|bing translator|yandex translate|google maps|openstreetmap|"
                      r"wolfram\s?\|?\s?alpha|desmos|regex101)(?![\w-])")
_ONE_WORD = re.compile(r"[A-Za-z][\w.&+]*")  # a bare one-word title: a site, an app or a section, not an article
# a bare address ('localhost:3000', '127.0.0.1:8000/admin', 'example.org'): a page that has not named itself
_ADDRESS = re.compile(r"(?i)(?:https?://)?(?:localhost|\d{1,3}(?:\.\d{1,3}){3}|[\w-]+(?:\.[\w-]+)+)(?::\d+)?(?:/\S*)?")


def names_content(raw: str, page: str) -> bool:
    """True for a page title that names something to read: not an AI assistant's chat, not a bare one-word
    site, app or section name ('GeeksforGeeks', 'Dresses'), not a bare address ('localhost:3000'); an article
    keeps its site suffix in a browser's title ('Python - Wikipedia'), so its cleaned title may be one word."""
    bare = raw.strip().strip("'\"")
    return not (_AI_CHAT.match(page) or _ONE_WORD.fullmatch(bare) or _ADDRESS.fullmatch(bare))


def usable_entity(text: str) -> bool:
    """True for a page title or search worth naming in a task: not browser furniture, not a fragment of a
    sentence ('on a new search page titled'), not a broken quote, not an app's own name."""
    text = text.strip()
    if len(text) < 3 or text.casefold() in _FURNITURE or _FRAGMENT.match(text):
        return False
    if text.count("'") % 2 or text.count('"') % 2:
        return False  # a fragment cut out of nested quotes
    return not any(rx.fullmatch(text) for rx in _APP_RE.values())


def mentions_error(text: str) -> bool:
    """True when `text` names an error or a failure ('#VALUE! error', 'ModuleNotFoundError', 'permission denied')."""
    return bool(_ERROR.search(text))


def looks_like_injection(text: str) -> bool:
    """True for instruction-like text (prompt injection, shell commands, URLs) that must never shape a task."""
    return bool(_INJECTION.search(text) or _URL.search(text))


@dataclass
class Situation:
    """Entities found in a history; each entity list holds (text, sentence index), oldest first."""

    sentences: list[str]
    files: list[tuple[str, int]] = field(default_factory=list)
    searches: list[tuple[str, int]] = field(default_factory=list)
    pages: list[tuple[str, int]] = field(default_factory=list)
    changes: list[tuple[str, int]] = field(default_factory=list)  # pull or merge requests read (also in pages)
    videos: list[tuple[str, int]] = field(default_factory=list)  # videos watched in a browser (also in pages)
    errors: list[tuple[str, int]] = field(default_factory=list)
    apps: list[tuple[str, str, int]] = field(default_factory=list)  # (category, app, index)
    idle_at: int | None = None
    switches: int = 0
    switch_pair: tuple[str, str] | None = None
    messaging: tuple[str, int, str | None, bool] | None = None  # (app, index, subject, a new message)

    def latest(self, name: str) -> tuple[str | None, int]:
        items = getattr(self, name)
        return (items[-1][0], items[-1][1]) if items else (None, -1)

    @staticmethod
    def is_document(file: str) -> bool:
        ext = file.rsplit(".", 1)[-1].lower() if "." in file else ""
        if _BUILD_TEXT.search(file):
            return False  # a list of packages or a build script, not prose
        return ext in _DOC_EXT or not _FILE.match(file)

    @property
    def coding(self) -> bool:
        """The user works with code (a source file, an editor or a terminal)."""
        return self.language is not None or any(c in ("editor", "terminal") for c, _, _ in self.apps)

    @property
    def language(self) -> str | None:
        for f, _ in reversed(self.files):
            lang = _LANG.get(f.rsplit(".", 1)[-1].lower())
            if lang:
                return lang
        return None

    def entity_texts(self) -> list[str]:
        """Every grounded name (used to check that a task mentions something the user touched)."""
        names = [t for lst in (self.files, self.searches, self.pages, self.errors) for t, _ in lst]
        return names + [a for _, a, _ in self.apps]


def _add(lst: list[tuple[str, int]], text: str, i: int) -> None:
    lst[:] = [(t, j) for t, j in lst if t != text]
    lst.append((text, i))


_REPLY = re.compile(rf"{SUBJECT_MARKS.pattern}|(?i:\s*\((dm|channel)\)\s*$|^chat\s*\|\s*)")
# a new message being written (a compose window whose subject is not a reply's or a forward's)
_NEW_MESSAGE = re.compile(rf"(?i)^\s*(?:{COMPOSE_MARKS})\s*:(?!\s*(?:{REPLY_MARKS})\s*:)")
# a new message with no subject yet: 'New Message - anna@example.org - Gmail', 'Write: (no subject)'
_BLANK_MESSAGE = re.compile(r"(?i)^\s*(?:(?:new message|neue nachricht|nouveau message|nuevo mensaje|nuovo messaggio|"
                            r"nieuw bericht|nova mensagem|compose(?: mail)?)\s*(?:$|[-\u2013\u2014|])|"
                            rf"(?:{COMPOSE_MARKS})\s*:\s*(?:\((?:no subject|kein betreff|sans objet|sin asunto)\))?\s*"
                            r"(?:$|[-\u2013\u2014|]))")
# a mail folder, not a message: 'Inbox - bob@acme.example', 'Sent Items', 'Mail - Bob Smith' (the account's name)
_MAIL_FOLDER = re.compile(rf"(?i)^(?:{INBOX_WORDS}|sent(?: mail| items)?|drafts|outbox|archive|all mail|spam|junk|trash|"
                          r"starred|unread|mail)\b(?:\s*\(\d+\))?(?:\s+[-\u2013\u2014|]\s+[^-\u2013\u2014|]+)?$")


# a writing app's own name after the document's: 'thesis - Online LaTeX Editor Overleaf', 'Plan - Google Docs'
_WRITING_TAIL = re.compile(r"\s+[-|\u2013\u2014]\s+(?:Online LaTeX Editor Overleaf|Overleaf|Google Docs|Notion|Typora|"
                           r"Obsidian(?: v[\d.]+)?|(?:Microsoft )?Word|LibreOffice Writer|Pages)$")
_UNREAD = re.compile(r"^\s*[(\[]\d+\+?[)\]]\s*")  # '(3) WhatsApp': the unread count


def _without_app(title: str, *apps: str) -> str:
    """A title without the app's own name at either end ('Element | #infra', 'Chat | Priya | Microsoft Teams'),
    with the workspace's name before it at the end ('town-square - Acme Mattermost')."""
    for app in {a for a in apps if a}:
        name = re.escape(app)
        title = re.sub(rf"(?i)^\s*{name}\s*[-|\u2013\u2014:]\s+|"
                       rf"\s+[-|\u2013\u2014]\s*(?:[\w.&'-]+\s+){{0,2}}{name}\s*$", "", title)
    return title


def _error_text(sentence: str, quoted: list[str], limit: int | None = 100) -> str | None:
    for q in quoted:
        if _ERROR.search(q) or re.search(r"\w+(Error|Exception)\b", q):
            return error_line(q, limit)
    tail = _ERROR_TAIL.search(sentence)
    if tail:
        return tail.group(1).strip().rstrip(".")
    return (shorten(quoted[0], limit) if limit else quoted[0].strip()) if quoted else None


def full_error(sentence: str) -> str | None:
    """The error a sentence shows, whole: a card names it cut to a line, the fact finders read all of it (the
    part that says what went wrong is often at the end: '... Bind for 0.0.0.0:8080 failed: port is already
    allocated')."""
    if not _ERROR.search(sentence):
        return None
    quoted, searched = _quoted_parts(sentence)
    return _error_text(sentence, [q for q in quoted if q not in searched], None)


def _quoted_parts(sentence: str) -> tuple[list[str], set[str]]:
    """What a sentence quotes (no instruction-like text, no key names) and which of it the user searched for."""
    quoted = [q for q in _QUOTED.findall(sentence)
              if q.strip() and not looks_like_injection(q) and not _KEY_NAME.match(q.strip())]
    return quoted, {m.group(1) for rx in _SEARCH for m in rx.finditer(sentence)}


def _add_typed_files(s: Situation, typed: list[tuple[str, int]]) -> None:
    """File names the user typed count as files unless one the history names otherwise is nearly the same: then
    the typed one is a name half typed or mistyped ('search.m' for 'search.md', 'rheckName.rb' for 'CheckName.rb')."""
    from difflib import SequenceMatcher

    known = [f for f, _ in s.files]
    for name, i in typed:
        near = any(k != name and (k.startswith(name) or SequenceMatcher(None, k.lower(), name.lower()).ratio() >= 0.8)
                   for k in known)
        if not near:
            _add(s.files, name, i)
    s.files.sort(key=lambda fi: fi[1])


def read_situation(history: list[str]) -> Situation:
    s = Situation(sentences=list(history))
    recent_apps: list[str] = []
    typed_files: list[tuple[str, int]] = []
    for i, sentence in enumerate(history):
        quoted, searched = _quoted_parts(sentence)
        for q in searched:
            if not looks_like_injection(q) and len(q) <= 120:
                if usable_entity(q):
                    _add(s.searches, q.strip(), i)
        files = [f for f in (file_of(q) for q in quoted) if f]
        if not files and not _INJECTION.search(sentence):
            # a file an error names ('No such file or directory: data/train.csv') is not one the user has open
            problems = [q for q in searched if mentions_error(q)]
            files = [m.group(0) for m in _BARE_FILE.finditer(sentence)
                     if not any(m.group(0) in q for q in problems)
                     and not _URL.search(sentence[max(0, m.start() - 12):m.end() + 1])
                     and not _FORGE.match(sentence, m.end())  # 'owner/llama.cpp · GitHub' is a repository
                     and not _FRAMEWORK.fullmatch(m.group(0))]
        if not files and _APP_RE["writing"].search(sentence):
            files = [_WRITING_TAIL.sub("", q) for q in quoted[:1]
                     if q not in searched and not _APP_RE["writing"].fullmatch(q)]
        typed_now = {m.group(1) for m in _TYPED.finditer(sentence)}
        for f in files:
            if any(file_of(q) == f for q in typed_now):
                typed_files.append((f.strip(), i))  # typed: maybe half a name ('search.m'); placed at the end
            else:
                _add(s.files, f.strip(), i)
        for cat, rx in _APP_RE.items():
            for m in rx.finditer(sentence):
                name = _APP_NAMES.get(m.group(1), m.group(1))
                s.apps.append((cat, name, i))
                recent_apps.append(name)
                if cat in ("mail", "chat"):
                    title = next((q for q in quoted if q not in files and q != m.group(1)), None)
                    subject = (_UNREAD.sub("", _REPLY.sub("", _without_app(clean_title(title), m.group(1), name)))
                               if title else None)
                    if subject and (not usable_entity(subject) or _MAIL_FOLDER.match(subject)):
                        subject = None
                    blank = bool(title and _BLANK_MESSAGE.match(title))
                    s.messaging = (m.group(1), i, None if blank else subject,
                                   blank or bool(title and _NEW_MESSAGE.match(title)))
        if _ERROR.search(sentence):
            err = _error_text(sentence, [q for q in quoted if q not in searched])
            if err and not looks_like_injection(err):
                _add(s.errors, err, i)
        elif _PAGE_CUE.search(_QUOTED.sub("''", sentence)):  # the cue in the sentence, not in what it quotes
            app_names = {a for _, a, _ in s.apps} | set(_APP_NAMES)
            typed = {m.group(1) for m in _TYPED.finditer(sentence)}
            for q in quoted:
                if (q in searched or _WRITING_TAIL.sub("", q) in files or q in app_names or q in typed
                        or len(q) < 4 or "\n" in q or _SEARCH_TITLE.fullmatch(f"'{q}'")):
                    continue
                bare = _UNREAD.sub("", q)  # '(3) Inbox': the unread count is not part of the name
                page = clean_title(bare)
                if (usable_entity(page) and names_content(bare, page) and not _MAIL_FOLDER.match(page)
                        and not _BLANK_MESSAGE.match(bare)
                        and not any(bare.startswith(f) for f, _ in s.files)):
                    _add(s.pages, page, i)
                    if _CHANGE_REQUEST.search(bare):
                        _add(s.changes, page, i)
                    if _VIDEO_SITE.search(bare):
                        _add(s.videos, page, i)
        if _IDLE.search(sentence):
            s.idle_at = i
        if _SWITCH.search(sentence) and i >= len(history) - 8:
            s.switches += 1
    _add_typed_files(s, typed_files)
    s.switch_pair = None
    if len(set(recent_apps[-6:])) >= 2:
        last = recent_apps[-6:]
        a = last[-1]
        b = next(x for x in reversed(last) if x != a)
        s.switch_pair = (b, a)
    return s
