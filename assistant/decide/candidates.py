"""Candidate tasks for the current situation: grounded templates, remembered accepted tasks, model extras.

Contract used by the judge and the decision step:
    Candidate(task, kind, source)   task None means "no task"
    generate_candidates(history, accepted_before=None) -> list[Candidate]   (the null is always included, last)

Every template names something the user actually touched (a file, an error, a search, a page, an app), taken
from the observation sentences; text that looks like an instruction (prompt injection in a window title) is
never used as an entity.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field, replace

from models.situation import Situation, file_of, looks_like_injection, mentions_error, read_situation
from models.titles import inner_quotes

__all__ = [
    "NULL_CANDIDATE",
    "Candidate",
    "Situation",
    "generate_candidates",
    "looks_like_injection",
    "read_situation",
    "similar_accepted",
]

MAX_TASKS = 5  # non-null candidates returned
STALE_AFTER = 8  # a search this many sentences ago no longer shapes a task


@dataclass(frozen=True, slots=True)
class Candidate:
    task: str | None
    kind: str
    source: str  # "template" | "memory" | "model"


NULL_CANDIDATE = Candidate(None, "none", "template")


@dataclass(order=True)
class _Scored:
    score: float
    candidate: Candidate = field(compare=False)


_CONFLICT = re.compile(r"(?i)(?:^Merging:\s*(\S+)|merge conflict(?: in)?\s*(\S+)?|^CONFLICT\b.*?in\s+(\S+))")
_PROSE = re.compile(r"(?i)\b(markdown|plain ?text|notes|essay|draft|report|article|thesis|blog post|chapter|prose|"
                    r"paragraphs?)\b")
_SHEET = re.compile(r"(?i)\.(ods|xlsx?|csv)$")
_SLIDES = re.compile(r"(?i)\.(odp|pptx?)$")
_READ_ONLY = re.compile(r"(?i)\.(pdf|epub|djvu|mobi)$")
_TECH = re.compile(r"(?i)\b(code|function|method|class|api|error|exception|python|java|javascript|js|ruby|"
                   r"rust|golang|sql|html|css|regex|library|install|compile|debug|syntax|array|string|json|"
                   r"script|git|docker|npm|pip|linux|bash|excel formula|pandas|numpy|csv|import|loop|list|dict|"
                   r"variable|query|tensorflow|pytorch|react|node|matlab|php|swift|kotlin|go|typescript|"
                   r"formula|spreadsheet|excel|vlookup|xlookup|hlookup|sumifs?|countifs?|index match|pivot table|"
                   r"conditional formatting|div|flexbox|flex|selector|dom|callback|async|await|promise|lambda|enum|"
                   r"struct|pointer|mutex|regexp?|endpoint|oauth|jwt|yaml|toml|cli|makefile|cmake|neovim|vim|"
                   r"kubernetes|kubectl|nginx|systemd|cron|ssh|latex|"
                   # tools a how-to is asked about: the answer is a command or a formula to try
                   r"ffmpeg|imagemagick|rsync|curl|wget|grep|sed|awk|tar|chmod|tmux|powershell|command line|"
                   r"libreoffice|google sheets|emacs)\b")
# an app used by pointing and clicking: a how-to about it wants steps, not an example
_GUI_APP = re.compile(r"(?i)\b(gimp|inkscape|blender|krita|kdenlive|shotcut|audacity|obs studio|darktable|"
                      r"libreoffice (?:impress|writer|draw)|impress|thunderbird|firefox settings)\b")


# a search for one page or a purchase (a recipe, lyrics, the weather, tickets, a login), not a question to
# look into: the page it finds is the answer, and there is nothing to research or sum up
_SEEKS_A_PAGE = re.compile(r"(?i)\b(recipes?|lyrics|weather|forecast|tickets?|flights?|hotels?|near me|opening hours|"
                           r"showtimes|timetable|log ?in|sign ?in|download|coupons?|promo code|for sale|buy|"
                           r"cheap(?:est)?|tracking number|track (?:my )?(?:order|package|parcel))\b")


def _worth_searching(query: str) -> bool:
    """A query worth a task: several words, or a short non-Latin phrase; not a bare site name."""
    words = query.split()
    return len(words) >= 2 or (len(query) >= 3 and not query.isascii())


# programming languages a query may name itself ('go 语言', 'swift ui list'): then no other is added to it
_NAMES_LANGUAGE = re.compile(r"(?i)(?<![a-z])(python|java|javascript|typescript|js|ruby|rust|golang|swift|kotlin|"
                             r"php|c\+\+|c#|sql|html|css|bash|shell|matlab|perl|scala|haskell|lua|dart|"
                             r"(?<!to )go(?!\s+(?:to|through|back|over|into|from|up|down|out|on|away)\b))(?![a-z+#])")


def _in_lang(query: str, lang: str | None) -> str:
    """' in <lang>' for a query about the open file's language, unless the query names a language itself."""
    return f" in {lang}" if lang and not _NAMES_LANGUAGE.search(query) else ""


def _same_words(a: str, b: str) -> bool:
    return a.lower().split() == b.lower().split()


def _searched_as(err: str, s: Situation) -> str | None:
    """The search query when the 'error' of a need is a search the user typed (a problem search such as 'git
    detached head how to get commits back' counts as an error sighting), else None."""
    words = err.lower().split()
    for query, _ in reversed(s.searches):
        q = query.lower().split()
        if q == words or (len(words) >= 3 and " ".join(words) in " ".join(q)):
            return query
    return None


def _example_task(query: str, lang: str | None) -> str:
    q = query.strip().rstrip("?.! ")
    low = q.lower()
    if low.startswith(("how to ", "how do i ", "how can i ")):
        q = "how to " + q.split(" ", 3 if low.startswith(("how do i ", "how can i ")) else 2)[-1]
        return f"Provide a short example of {q}{_in_lang(q, lang)}."
    return f"Provide a short example for '{q}'{_in_lang(q, lang)}."


def _research_task(query: str) -> str:
    """A question about an app used by clicking asks for steps ('gimp export pdf cmyk'); any other query for
    what sources agree on."""
    if _GUI_APP.search(query):
        return f"List the usual steps for '{query}'."
    return f"Find a few reliable sources on '{query}' and sum up what they agree on."


def _template_candidates(s: Situation) -> list[_Scored]:
    """Each kind at most once, scored by how recent its evidence is plus a bonus for how clear the need is."""
    out: list[_Scored] = []

    def add(task: str, kind: str, when: int, bonus: float) -> None:
        out.append(_Scored(when + bonus, Candidate(inner_quotes(task), kind, "template")))

    file, file_at = s.latest("files")
    if file_at < len(s.sentences) - STALE_AFTER:
        file, file_at = None, -1  # a file from an earlier context is not what the user works on now
    lang = s.language
    looked_up = None  # the problem is a search the user typed, not a message on screen
    if s.errors:
        err, at = s.errors[-1]
        where = f" in '{file}'" if file else ""
        conflict = _CONFLICT.search(err)
        looked_up = _searched_as(err, s)
        if conflict:
            subject = file_of(next((g for g in conflict.groups() if g), "")) or file
            where = f" in '{subject}'" if subject else ""
            add(f"Explain the merge conflict{where} and suggest how to resolve it.", "explain_error", at, 3.0)
        elif looked_up:  # 'Explain the error' about a search reads wrong: find what fixes the problem searched
            add(f"Find the usual causes of '{looked_up}' and the fix that matches your setup.", "find_fix",
                at, 3.0)
        else:
            add(f"Explain the error '{err}' and suggest a fix{where}.", "explain_error", at, 3.0)
    query, query_at = s.searches[-1] if s.searches else (None, -1)
    if query_at < len(s.sentences) - STALE_AFTER or (query and looked_up and _same_words(query, looked_up)):
        query, query_at = None, -1
    if query and _worth_searching(query):
        if (s.errors and query_at >= s.errors[-1][1] - 2) or mentions_error(query):  # looking up a problem
            add(f"Find the usual causes of '{query}' and the fix that matches your setup.", "find_fix",
                query_at, 1.0)
        elif (_TECH.search(query) and not _GUI_APP.search(query)) or (lang and lang.lower() in query.lower()):
            add(_example_task(query, lang), "find_example", query_at, 1.5)
        elif not _SEEKS_A_PAGE.search(query):
            add(_research_task(query), "research", query_at, 1.2)
    videos = {v for v, _ in s.videos}  # a video's title does not tell what it says: nothing to sum up or collect
    read = [(p, j) for p, j in s.pages if p not in videos]
    pages = [p for p, _ in read]
    if s.changes and s.changes[-1] == s.pages[-1]:  # a pull request is read to review it, not to summarise it
        change, at = s.changes[-1]
        add(f"Review the changes in '{change}' for bugs and possible improvements.", "review_file", at, 1.0)
    elif pages:
        page, at = read[-1]
        read_since_query = {p for p, j in read if j >= query_at} if query else set()
        if len(read_since_query) >= 2:  # several pages on one question (a search not yet stale): all of them
            add(f"Summarise the pages you read about '{query}' in a few bullet points.", "summarise_pages",
                at, 1.0)
        else:
            add(f"Summarise the key points of '{page}'.", "summarise_pages", at, 1.0)
    if file:
        if s.is_document(file):
            part = "slides" if _SLIDES.search(file) else "section"
            add(f"Outline the next {part} of '{file}' based on what you have written so far.",
                "continue_document", file_at, 0.5)
            add(f"Proofread '{file}' and suggest clearer wording.", "review_file", file_at, 0.0)
        else:
            if _READ_ONLY.search(file):  # a paper or a book is read, not debugged
                add(f"Summarise the key points of '{file}'.", "summarise_pages", file_at, 0.5)
            elif _SHEET.search(file):
                add(f"Check '{file}' for formula mistakes and figures that do not add up.", "review_file",
                    file_at, 0.5)
            else:
                add(f"Review '{file}' for bugs and possible improvements.", "review_file", file_at, 0.5)
            doc, doc_at = next(((f, j) for f, j in reversed(s.files) if s.is_document(f)
                                and j >= len(s.sentences) - STALE_AFTER), (None, -1))
            if doc:  # reading a source (a PDF, notes) while writing a document: the document is the work
                add(f"Outline the next section of '{doc}' based on what you have written so far.",
                    "continue_document", doc_at, 0.5)
    elif s.coding and not s.errors:
        editor = next((a for c, a, _ in reversed(s.apps) if c == "editor"), None)
        at = max((j for c, _, j in s.apps if c == "editor"), default=-1)
        if editor and _PROSE.search(" ".join(s.sentences)):  # notes or a draft in a code editor
            add(f"Proofread what you are writing in {editor} and suggest clearer wording.", "review_file", at, 0.0)
        elif editor:
            add(f"Review the code open in {editor} for bugs and possible improvements.", "review_file", at, 0.0)
    recent = [(f, j) for f, j in reversed(s.files) if j >= len(s.sentences) - STALE_AFTER]
    target, target_at = next(((f, j) for f, j in recent if s.is_document(f) or _SHEET.search(f)), (None, -1))
    source, source_at = read[-1] if read else next(
        ((f, j) for f, j in recent if f != target), (None, -1))
    if target and source and s.switches >= 2:
        # a sheet has no key points, and key points are not what goes into one
        what = "the figures you need" if _SHEET.search(source) or _SHEET.search(target) else "the key points"
        add(f"Collect {what} from '{source}' into '{target}' so you can stop switching.",
            "combine", max(target_at, source_at), 1.2)
    if s.idle_at is not None and s.idle_at >= len(s.sentences) - 2:
        subject = f"'{file}'" if file else (f"'{pages[-1]}'" if pages else None)
        if subject:
            add(f"Recap where you left off in {subject} and suggest the next step.", "resume", s.idle_at, 1.0)
    if s.messaging:
        app, at, subject, new = s.messaging
        if new:  # a message of the user's own, not an answer
            what = f"the message '{subject}'" if subject else "the message you are writing"
            add(f"Draft {what} in {app}.", "draft_reply", at, 2.0)
        else:
            what = f"'{subject}'" if subject else "the latest message"
            add(f"Draft a reply to {what} in {app}.", "draft_reply", at, 2.0)
    kinds_switched = {c for c, a, _ in s.apps if s.switch_pair and a in s.switch_pair}
    # an editor and a terminal are one way of working (edit, run): switching between them needs nothing
    if s.switches >= 3 and s.switch_pair and not (file and pages) and kinds_switched != {"editor", "terminal"}:
        a, b = (x if x[0].isupper() else f"the {x}" for x in s.switch_pair)
        add(f"Put what you need from {a} and {b} side by side so you can stop switching.", "combine",
            len(s.sentences) - 1, 0.0)
    return out


_WORD = re.compile(r"[a-z0-9_]{3,}")
_STOP = frozenset(["the", "user", "and", "for", "with", "that", "this", "from", "into", "then", "its", "are", "was", "has", "have", "their", "them", "they", "about", "on", "in", "to", "of", "a", "an", "clicks", "clicked", "scrolls", "scrolled", "types", "typed", "opens", "opened", "switches", "switched", "back"])


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in _STOP]


def _tfidf(docs: list[list[str]]) -> list[dict[str, float]]:
    df = Counter(w for d in docs for w in set(d))
    n = len(docs)
    vecs = []
    for d in docs:
        tf = Counter(d)
        v = {w: c * (math.log((1 + n) / (1 + df[w])) + 1.0) for w, c in tf.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vecs.append({w: x / norm for w, x in v.items()})
    return vecs


def _adapt(task: str, old_history: list[str], s: Situation) -> str:
    """Swap a file name from the old context for the current file with the same extension."""
    old = read_situation(old_history)
    cur_files = [f for f, _ in s.files]
    for f_old, _ in old.files:
        ext = f_old.rsplit(".", 1)[-1].lower()
        match = next((f for f in reversed(cur_files) if f.rsplit(".", 1)[-1].lower() == ext), None)
        if match and f_old in task:
            task = task.replace(f_old, match)
    return task


def similar_accepted(history: list[str], accepted_before: list[tuple[list[str], str]],
                     limit: int = 2, min_similarity: float = 0.2,
                     situation: Situation | None = None) -> list[tuple[float, str]]:
    """Tasks accepted in the most similar past contexts (TF-IDF cosine over the recent sentences);
    `situation`: `history` already read (the engine reads it once per decision)."""
    if not accepted_before or not history:
        return []
    recent = history[-6:]
    docs = [_words(" ".join(recent))] + [_words(" ".join(h[-6:]) + " " + t) for h, t in accepted_before]
    vecs = _tfidf(docs)
    q = vecs[0]
    s = situation or read_situation(history)
    scored: list[tuple[float, str]] = []
    seen: set[str] = set()
    for (old_hist, task), v in zip(accepted_before, vecs[1:]):
        sim = sum(q.get(w, 0.0) * x for w, x in v.items())
        if sim < min_similarity or not task or looks_like_injection(task):
            continue
        adapted = _adapt(task, old_hist, s)
        if adapted.lower() not in seen:
            seen.add(adapted.lower())
            scored.append((sim, adapted))
    scored.sort(key=lambda p: -p[0])
    return scored[:limit]


def generate_candidates(history: list[str],
                        accepted_before: list[tuple[list[str], str]] | None = None,
                        situation: Situation | None = None, error: str | None = None) -> list[Candidate]:
    """2-6 grounded candidate tasks for `history` (observation sentences, oldest first), null candidate last.
    `situation`: `history` already read with `read_situation` (read here when None). `error`: the error the
    need at hand is about (as the user saw it), which the error's tasks name rather than whatever error-like
    page title came last."""
    s = situation or read_situation(history)
    if error and not looks_like_injection(error):
        s = replace(s, errors=[*(e for e in s.errors if e[0] != error), (error, len(history) - 1)])
    scored = sorted(_template_candidates(s), reverse=True)
    chosen: list[Candidate] = []
    kinds: set[str] = set()
    for item in scored:
        if item.candidate.kind not in kinds:
            kinds.add(item.candidate.kind)
            chosen.append(item.candidate)
    chosen = chosen[:MAX_TASKS]
    texts = {c.task.lower() for c in chosen if c.task}
    for _, task in similar_accepted(history, accepted_before or [], situation=s):
        if task.lower() not in texts:
            mem = Candidate(task, "memory", "memory")
            chosen = chosen[:MAX_TASKS - 1] + [mem] if len(chosen) >= MAX_TASKS else chosen + [mem]
            texts.add(task.lower())
    return chosen + [NULL_CANDIDATE]
