"""Window and page titles as tasks name them: without the furniture that frames them (browser, site, search
engine, terminal, editor), quotes unified, errors cut to the error itself, long names cut at a word.

Pure and deterministic; read by models.situation (entities), the narrator and the evidence of need.
"""

from __future__ import annotations

import re

_SITE_SUFFIX = re.compile(r"\s+(?:-|\||—|–|·)\s+[^-|—–·]{1,30}$")

# a forge's page title: 'X · Issue #42 · owner/repo · GitHub', 'X · owner/repo@main · GitHub', 'X · group / project · GitLab'
_FORGE_TAIL = re.compile(r"(?:\s+\u00b7\s+(?:Issue|Pull Request|Discussion) #\d+)?\s+\u00b7\s+[\w.-]+(?: ?/ ?[\w.@-]+)+"
                         r"(?:\s+\u00b7\s+(?:GitHub|GitLab|Codeberg|Gitee))?$|\s+\u00b7\s+(?:GitHub|GitLab)$")

# a documentation page's section before its site: 'align-items - CSS: Cascading Style Sheets | MDN'
# and generated documentation's project and version: 'dataclasses — Python 3.12.4 documentation', '— NumPy v2.1 Manual'
_DOC_SECTION = re.compile(r"\s+[-\u2013\u2014]\s+[^-|\u2013\u2014]{1,40}\s+\|\s+MDN(?: Web Docs)?$|"
                          r"\s+[-\u2013\u2014]\s+[^-|\u2013\u2014]{1,30}?\s+v?\d+(?:\.\d+)*\s+(?:documentation|Manual)$")
# a post open in a blog's web editor: 'Edit Post “Autumn hiking guide” ‹ My Blog — WordPress' is the post
_WEB_EDITOR = re.compile(r"^Edit (?:Post|Page)\s+[\"\u201c\u201d](.+?)[\"\u201c\u201d]\s+\u2039.*$")
_TAG_PREFIX = re.compile(r"^[a-z][\w.#+-]{0,24} - (?=\S+ \S+ \S+)")  # a Q&A site's tag: 'python - How to ...'
# on a Q&A site's own title the tag may be words: 'version control - How do I undo ... - Stack Overflow'
_QA_TAG_PREFIX = re.compile(r"^[a-z][\w.#+-]{0,24}(?: [a-z][\w.#+-]{0,24}){1,2} - (?=\S+ \S+ \S+)")
_QA_SITE = re.compile(r"\s[-\u2013\u2014|]\s*(?:Stack Overflow|[\w ]{0,30}Stack Exchange|Super User|Server Fault|"
                      r"Ask Ubuntu)\s*$")


_TICKET_KEY = re.compile(r"^\[[A-Z][A-Z0-9]{1,9}-\d{1,7}\]\s*(?=\S)")  # a tracker's key: '[SHOP-412] Checkout fails'


def shorten(text: str, limit: int = 100) -> str:
    """`text` in at most `limit` characters, cut after a whole word with an ellipsis when it is longer."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    if text[limit - 1].isalnum() and cut[-1:].isalnum() and " " in cut[limit // 2:]:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" .,;:-\u2013\u2014") + "\u2026"


def clean_title(text: str) -> str:
    """A page title without its trailing site name ('X - Stack Overflow' -> 'X'), a Q&A site's leading tag
    ('python - X' -> 'X') or a tracker's key ('[SHOP-412] X' -> 'X'), trimmed."""
    text = _TICKET_KEY.sub("", _DOC_SECTION.sub("", text.strip()))
    text = _WEB_EDITOR.sub(r"\1", text)
    if _QA_SITE.search(text):
        text = _QA_TAG_PREFIX.sub("", text.strip())
    text = _TAG_PREFIX.sub("", text.strip().strip("'\" -\u2013\u2014|"))
    text = _FORGE_TAIL.sub("", text) or text
    for _ in range(2):
        m = _SITE_SUFFIX.search(text)
        shorter = text[:m.start()] if m else text
        if len(shorter) < 4 or (m and len(m.group(0)) > len(shorter)):
            break
        text = shorter
    return shorten(text.rstrip(" -\u2013\u2014|"))


# what a mail or chat client writes before a subject, in the languages mail clients use: a reply's or a
# forward's mark (Re, AW, SV, Antw, Rif, Odp, VS, Fwd, WG, TR, RV, Enc) and a compose window's own word
# (Thunderbird's 'Write:' is 'Verfassen:', 'Rédaction :', 'Redactar:', 'Scrivi:', 'Opstellen:', 'Escrever:')
REPLY_MARKS = r"re|aw|sv|antw|rif|odp|vs|fwd?|wg|tr|rv|enc"
COMPOSE_MARKS = (r"write|compose|draft|new message|verfassen|r[eé]daction|redac(?:ción|tar)|scrivi|opstellen|"
                 r"escrever|redigir")
# a mail client's inbox, in the languages it is shown in
INBOX_WORDS = r"inbox|posteingang|bo[iî]te de r[eé]ception|bandeja de entrada|posta in arrivo|postvak in|caixa de entrada"
SUBJECT_MARKS = re.compile(rf"(?i)^\s*(?:(?:{REPLY_MARKS}|{COMPOSE_MARKS})\s*:\s*)+")


_QUOTES = str.maketrans({"\u2018": "\u2019", "\u201b": "\u2019", "'": "\u2019", "`": "\u2019", "\u00b4": "\u2019",
                         "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"'})


def unify_quotes(text: str) -> str:
    """Every kind of single quote as \u2019 and every double quote as '"' (the narrator's convention, so a
    quoted error stays one entity inside a task's own quotes)."""
    return text.translate(_QUOTES)


_PAIRED = re.compile(r"(?<![\w\u2019])\u2019([^\u2019\n]{1,80}?)\u2019(?![\w])")


def inner_quotes(text: str) -> str:
    """Names quoted inside a quoted title ('No module named \u2019torch\u2019') in double quotes, so they read
    well inside a task's own single quotes."""
    return _PAIRED.sub(r'"\1"', text)


_ERROR_START = re.compile(r"\b([A-Z]\w*(?:Error|Exception|Warning)\b|FAILED\b|Traceback\b|error(?:\[E\d+\])?:|"
                          r"error (?:TS|CS)\d{4}:|"
                          r"fatal:|panic:|npm ERR!|CONFLICT\b)|(?<![\w.])E: ")
# what prints an error before it: a program, its arguments, a prompt ('python - ', 'python3 train.py: ',
# 'user@host:~/src$ ', 'cargo build — '): short, no sentence punctuation, ending in ':', '-', '$', '#' or '>'
_ERROR_PREFIX = re.compile(r"^[\w./~@+=,:\-\[\] ]{1,80}?(?::|\s[-\u2013\u2014|]|[$#>])\s*$")
# title furniture after an error: the browser, a search engine, a Q&A or code site, a terminal or editor
_FURNITURE_TAIL = re.compile(
    r"(?i)\s*(?:\s[-\u2013\u2014|\u00b7]\s*|\sat\s)(?:Mozilla Firefox|Firefox|Google Chrome|Chromium|Brave|Microsoft\s?Edge|"
    r"Vivaldi|Opera|Google(?: Search)?|Bing|DuckDuckGo|Startpage|Ecosia|Brave Search|Kagi|Qwant|Stack Overflow|"
    r"Stack ?Exchange|Super User|Server Fault|Ask Ubuntu|GitHub|GitLab|Reddit|MDN Web Docs|Python docs|"
    r"Rust Forum|Terminal|xterm|Konsole|GNOME Terminal|Alacritty|kitty|Visual Studio Code|VSCodium|"
    r"PyCharm|IntelliJ IDEA)\s*$")


def strip_furniture(text: str) -> str:
    """A title without what only frames it: browser, search engine, site, terminal or editor names at the
    end ('X - Google Search - Mozilla Firefox' -> 'X')."""
    text = _FORGE_TAIL.sub("", " ".join(text.split())) or text
    for _ in range(3):
        shorter = _FURNITURE_TAIL.sub("", text)
        if shorter == text or len(shorter) < 3:
            break
        text = shorter
    return text.strip(" -\u2013\u2014|")


# a search often starts with the language or tool the error came from ('rust error[E0308]: ...')
_TOOL_WORD = re.compile(r"(?i)(python3?|node(js)?|npm|yarn|rust|cargo|go|golang|java|javac|maven|mvn|gradle|git|docker|"
                        r"bash|zsh|shell|apt|apt-get|pip3?|ruby|php|gcc|g\+\+|clang|make|kotlin|swift|dotnet|c#|"
                        r"typescript|ts|js|javascript|react|django|flask|pandas|numpy|ubuntu|debian|linux)\s+")
_JAVA_THREAD = re.compile(r'^Exception in thread "[^"]{1,40}"\s+(?=[\w.$]+(?:Exception|Error)\b)')
_DIAGNOSTIC_AT = re.compile(r"^\.?/?[\w./-]+\.\w{1,5}:\d+(?::\d+)?:\s+(?=\S)")  # where a compiler says it is
_HOW_TO_FIX = re.compile(r"(?i)^(?:\[solved\]\s*|solved:\s*|how (?:to|do (?:i|you)|can i) "
                         r"(?:fix|solve|resolve|deal with|get rid of|avoid|suppress|handle)\s+)+")


def error_line(text: str, limit: int | None = 100) -> str:
    """The error itself from a title, without title furniture or the command that printed it, quoted names in
    double quotes, cut to `limit` characters (None: whole, for the fact finders)
    ('python - ModuleNotFoundError: No module named 'x' - Mozilla Firefox' ->
    'ModuleNotFoundError: No module named "x"'), so it reads well inside a task's own quotes."""
    text = _TICKET_KEY.sub("", _PAIRED.sub(r'"\1"', strip_furniture(unify_quotes(text))))
    if text.startswith("Traceback"):  # a traceback header says nothing: keep its exception line
        exceptions = list(re.finditer(r"\b[A-Z]\w*(?:Error|Exception)\b", text))
        if exceptions:
            return _cut(text[exceptions[-1].start():], limit)
    text = _JAVA_THREAD.sub("", text)  # 'Exception in thread "main" java.lang.X: ...' -> 'java.lang.X: ...'
    text = _DIAGNOSTIC_AT.sub("", text)  # './main.go:27:2: declared and not used: x' -> 'declared and not used: x'
    match = _ERROR_START.search(text)
    if match and match.start() > 0 and (_ERROR_PREFIX.match(text[:match.start()])
                                        or _TOOL_WORD.fullmatch(text[:match.start()])):
        text = text[match.start():]
    elif " - " in text:
        text = clean_title(text)  # a page about the error: 'X - Some Forum'
    return _cut(_HOW_TO_FIX.sub("", text).rstrip(" ."), limit)


def _cut(text: str, limit: int | None) -> str:
    return shorten(text, limit) if limit else text.strip()
