"""Facts for research and summaries of web pages: what the user read, as this computer saw it.

The assistant sees a browser's window titles, not its pages' text. For "find a few reliable sources on X" it
can still say, from those titles, which pages the user opened on the search, on which sites, for how long,
and what kind of source each site is (an encyclopedia, official documentation, a journal, a forum, a blog...),
so the user sees which of them are worth citing and which kind is still missing. It never says what a page
contains: that needs the page's text, which only the user can hand over (the clipboard opt-in).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from models.facts.evidence import Evidence
from models.facts.sheet import FactSheet
from models.situation import read_situation
from models.titles import clean_title

SOURCE = "your window titles"

# Kinds of source, tested in this order against the site's name (first match wins), and how much a reader can
# lean on each: "reliable" (edited, official or peer-reviewed), "check" (check the date and the author),
# "opinion" (one person's view: check it against a reliable one).
_KINDS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("a research paper or journal", "reliable", re.compile(
        r"(?i)\barxiv\b|pubmed|\bncbi\b|\bjournals?\b|\bnature\b|sciencedirect|springer|wiley|\bjstor\b|\bieee\b|"
        r"(?-i:\bACM\b|\bBMJ\b|\bPLOS\b|\bPNAS\b)|researchgate|google scholar|\bdoi\b|proceedings|the lancet|"
        r"cochrane")),
    ("an encyclopedia", "reliable", re.compile(
        r"(?i)wikipedia|britannica|encyclop[ae]?dia|scholarpedia|stanford encyclopedia|larousse|brockhaus")),
    ("official documentation", "reliable", re.compile(
        r"(?i)\bdocumentation\b|\bdocs\b|\bmanual\b|\breference\b|(?-i:\bMDN\b)|man ?page|\bhandbook\b|"
        r"\bspecification\b|\bRFC\s*\d+|learn\.microsoft|developer\.")),
    ("a public body, university or hospital", "reliable", re.compile(
        r"(?i)\.gov\b|\.edu\b|\bgov\.uk\b|(?-i:\bNHS\b|\bCDC\b|\bNIH\b|\bWHO\b|\bOECD\b|\bUN\b)|"
        r"world health organi[sz]ation|"
        r"european commission|\bministry\b|\buniversity\b|\buniversit[aäéy]\w*|\binstitute\b|mayo clinic|"
        r"\bmuseum\b|national library|eurostat|\bclinic\b|\bhospital\b")),
    ("a Q&A site or forum", "opinion", re.compile(
        r"(?i)stack overflow|stack exchange|super user|server fault|ask ubuntu|reddit|quora|\bforums?\b|"
        r"discourse|\bcommunity\b|hacker news")),
    ("a video", "opinion", re.compile(r"(?i)youtube|vimeo|twitch|tiktok")),
    ("a blog", "opinion", re.compile(r"(?i)\bmedium\b|dev\.to|\bDEV Community\b|substack|hashnode|\bblog\b|wordpress")),
    ("a course or tutorial site", "check", re.compile(
        r"(?i)khan academy|coursera|udemy|\bedx\b|w3schools|geeksforgeeks|freecodecamp|tutorial|\bcourse\b|"
        r"real python|datacamp|use the index, luke")),
    ("news, a magazine or a review site", "check", re.compile(
        r"(?i)(?-i:\bBBC\b|\bNYT\b|\bAP News\b|\bCNET\b)|guardian|new york times|reuters|the verge|ars technica|"
        r"\bwired\b|"
        r"history today|notebookcheck|techradar|economist|the atlantic|bloomberg|\bmagazine\b|"
        r"\bnews\b|\btimes\b|\bpost\b|\bherald\b|\btribune\b|spiegel|le monde|\bzeit\b|national geographic|"
        r"scientific american|new scientist|tom's hardware|anandtech|rtings|consumer reports|which\?")),
)
_ADVICE = {
    "reliable": "a source you can cite",
    "check": "check its date and author before citing it",
    "opinion": "one person's view: check it against a source you can cite",
}
NO_PAGE_TEXT = ("What the page says: this assistant sees a browser's window titles, not the page's text. Copy the "
                "text and turn on assist.use_clipboard (or save the page as a file, with assist.read_files on) to "
                "have it summed up.")
NO_PAGES_TEXT = ("What the pages say: this assistant sees their titles, not their text. Copy a page's text and turn "
                 "on assist.use_clipboard to have it summed up.")
_DURATION = re.compile(r"\bfor (\d+(?:\.\d+)?) (second|minute|hour)s?\b")
_UNIT = {"second": 1, "minute": 60, "hour": 3600}
_QUOTED = re.compile(r"(?<![A-Za-z0-9])'(.+?)'(?![A-Za-z0-9])")


@dataclass(frozen=True)
class PageRead:
    """One page the user opened: its title (without the site), the site's name as the title gives it ("" when
    the title names none), the kind of source and how long the user spent on it (seconds the narration names)."""

    title: str
    site: str
    kind: str
    trust: str
    seconds: float


# a title that is itself a documentation page's: 'PostgreSQL: Documentation: 16: 11.8. Partial Indexes'
_DOCS_TITLE = re.compile(r"(?i)(?:^|[:|\u2013\u2014]\s|\s-\s)(?:[\w.+-]+\s+)?(?:documentation|docs|manual)\b")


def source_kind(site: str, title: str = "") -> tuple[str, str]:
    """(kind of source, how much to lean on it) for a site's name; without one, only a title that is a
    documentation page's says ('PostgreSQL: Documentation: ...'); ("", "") when neither says."""
    if site:
        for kind, trust, rx in _KINDS:
            if rx.search(site):
                return kind, trust
    elif _DOCS_TITLE.search(title):
        return "official documentation", "reliable"
    return "", ""


_SUBREDDIT = re.compile(r"\s:\s(r/\w+)(?:\s+-\s+Reddit)?\s*$")  # a Reddit thread's: 'Anyone tried 16:8? : r/loseit'


def _site(raw: str, page: str) -> str:
    """The site's name: what the raw title holds after the page's own title ('X - Wikipedia' -> 'Wikipedia',
    'python - X - Stack Overflow' -> 'Stack Overflow', 'X : r/loseit' -> 'Reddit, r/loseit')."""
    sub = _SUBREDDIT.search(raw)
    if sub:
        return f"Reddit, {sub.group(1)}"
    at = raw.find(page.rstrip(".\u2026"))
    if at < 0:
        return ""
    tail = raw[at + len(page.rstrip(".\u2026")):]
    m = re.match(r"\s*[-|\u2013\u2014\u00b7:]\s+(.+)$", tail)
    return m.group(1).strip(" '\"") if m else ""


def pages_read(texts: list[str], query: str = "") -> list[PageRead]:
    """The pages opened since the latest search for `query` (every page in `texts` when no search is named),
    oldest first, one entry per page, with the time the narration says the user spent on each."""
    situation = read_situation(list(texts))
    start = max((i for q, i in situation.searches if not query or q.lower() == query.lower()), default=-1)
    out: dict[str, list] = {}
    for page, _ in situation.pages:
        for i, sentence in enumerate(texts):
            if i <= start:
                continue
            for raw in _QUOTED.findall(sentence):
                if clean_title(raw) != page:
                    continue
                entry = out.setdefault(page, [_site(raw, page), 0.0, i])
                entry[0] = entry[0] or _site(raw, page)
                m = _DURATION.search(sentence)
                entry[1] += float(m.group(1)) * _UNIT[m.group(2)] if m else 0.0
                entry[2] = min(entry[2], i)
    pages = []
    for page, (site, seconds, _) in sorted(out.items(), key=lambda kv: kv[1][2]):
        kind, trust = source_kind(site, page)
        pages.append(PageRead(_SUBREDDIT.sub("", page), site, kind, trust, seconds))
    return pages


def _time(seconds: float) -> str:
    if seconds <= 0:
        return ""
    if seconds < 60:
        return f" (read about {int(round(seconds / 5.0) * 5) or 5} seconds)"
    minutes = round(seconds / 60.0)
    return f" (read about {minutes} minute{'s' if minutes != 1 else ''})"


def reading_facts(sheet: FactSheet, ev: Evidence) -> None:
    """For research: the pages read on the search, each with its site and kind of source, which of them can be
    cited and which kind of source is still missing (all from the window titles)."""
    pages = pages_read(list(ev.texts), ev.query)
    if not pages:
        sheet.cannot_verify("Which pages you read on this: no page title was seen since the search.")
        return
    sheet.subject = ev.query or pages[-1].title
    on = f" on '{ev.query}'" if ev.query else ""
    reliable = [p for p in pages if p.trust == "reliable"]
    citable = f"; you can cite {len(reliable)} of them" if reliable and len(pages) > 1 else ""
    sheet.add(f"You opened {len(pages)} page{'s' if len(pages) != 1 else ''}{on}{citable}.", SOURCE)
    for p in pages[:6]:
        where = f" ({p.site})" if p.site else ""
        what = f": {p.kind}; {_ADVICE[p.trust]}" if p.kind else ": a site this assistant has no kind for"
        sheet.add(f"'{p.title}'{where}{what}{_time(p.seconds)}.", SOURCE)
    if not reliable:
        sheet.add("None of them is an encyclopedia, official documentation, a journal or a public body's page; "
                  "one of those is the next thing to find.", "the kinds of the pages above")
    elif not any(p.kind == "a research paper or journal" for p in pages) and len(reliable) == len(pages):
        sheet.add("All of them are reliable kinds of source; a paper or a primary source would add evidence "
                  "behind them.", "the kinds of the pages above")
    sheet.cannot_verify(NO_PAGES_TEXT if len(pages) > 1 else NO_PAGE_TEXT)
