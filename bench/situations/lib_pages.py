"""Pages and screens: research across pages (a need), and the everyday stretches that need nothing: reading
documentation or a paper, a video, a meeting, alt-tabbing, being away, opening files.

Research is a need from the search on; its evidence is the third page read on that search.
"""

from __future__ import annotations

from bench.situations.lib_code import search
from bench.situations.script import Need, Script, Situation, situation
from bench.situations.titles import chromium, duckduckgo, firefox, google, vscode

RESEARCH = ("summarise_pages", "research")


def _read_results(s: Script, results: str, pages: list[str], each: float) -> float:
    """Open each result from the results page, read it, come back; returns when the third page opened."""
    third = 0.0
    for i, page in enumerate(pages):
        s.keys("Return", then=1.5).title(page)
        if i == 2:
            third = s.now
        s.scroll(each, 0.3).keys("alt+Left", then=1.0).title(results).scroll(4, 0.5)
    return third


def research_printing_press() -> Situation:
    s = Script()
    s.desk("web", "firefox", firefox("New Tab"))
    start = s.now
    search(s, firefox(google("history of the printing press in Europe")))
    evidence = _read_results(s, firefox(google("history of the printing press in Europe")), [
        firefox("Printing press - Wikipedia"),
        firefox("How Gutenberg changed the world - History Today"),
        firefox("The printing revolution in early modern Europe - Britannica"),
        firefox("Movable type before Gutenberg - Khan Academy")], 40)
    end = s.now
    return situation("research_printing_press", "research", "reads four pages on the history of the printing "
                     "press from one search", s,
                     [Need(start, evidence, end, RESEARCH, "research the history of the printing press")])


def research_laptops() -> Situation:
    s = Script()
    s.desk("sheet", "calc", "laptops.ods - LibreOffice Calc")
    s.desk("web", "chromium", chromium("New Tab"))
    start = s.now
    results = chromium(google("best laptop for programming 2025 linux"))
    search(s, results)
    pages = [chromium("Framework Laptop 13 review: the repairable laptop grows up - The Verge"),
             chromium("Dell XPS 13 (9350) review: thin, light, and a great screen | Notebookcheck"),
             chromium("ThinkPad X1 Carbon Gen 13 review - Ars Technica")]
    evidence = 0.0
    for i, page in enumerate(pages):
        s.keys("Return", then=1.5).title(page).scroll(35, 0.3)
        if i == 2:
            evidence = s.now - 35
        s.focus("sheet").type(10, cps=3).focus("web").keys("alt+Left", then=1.0).title(results)
    end = s.now
    return situation("research_laptops", "research", "compares three laptop reviews and notes figures in a "
                     "spreadsheet", s,
                     [Need(start, evidence, end, RESEARCH + ("combine",), "compare laptops for programming")])


def research_postgres_indexes() -> Situation:
    s = Script()
    s.desk("notes", "obsidian", "Postgres tuning - notes - Obsidian v1.6.7")
    s.desk("web", "firefox", firefox("New Tab"))
    start = s.now
    results = firefox(duckduckgo("postgres partial index vs expression index"))
    search(s, results)
    evidence = _read_results(s, results, [
        firefox("PostgreSQL: Documentation: 16: 11.8. Partial Indexes"),
        firefox("PostgreSQL: Documentation: 16: 11.7. Indexes on Expressions"),
        firefox("Partial indexes in practice – Use The Index, Luke")], 35)
    s.focus("notes").type(30, cps=3)
    end = s.now
    return situation("research_postgres_indexes", "research", "reads the Postgres docs and a guide on index "
                     "kinds, then writes notes", s,
                     [Need(start, evidence, end, RESEARCH + ("find_example", "combine"),
                           "understand partial vs expression indexes")])


def reading_asyncio_docs() -> Situation:
    s = Script()
    s.desk("code", "code", vscode("crawler.py", "crawler"))
    s.desk("web", "firefox", firefox("asyncio — Asynchronous I/O — Python 3.12.4 documentation"))
    s.scroll(20, 0.3).title(firefox("Coroutines and Tasks — Python 3.12.4 documentation")).scroll(90, 0.25)
    s.focus("code").type(45, cps=3).keys("ctrl+s")
    return situation("reading_asyncio_docs", "reading_docs", "reads the asyncio docs for two minutes, then "
                     "codes", s)


def reading_paper_pdf() -> Situation:
    s = Script()
    s.desk("pdf", "evince", "sparse-retrieval-survey.pdf")
    s.scroll(200, 0.15)
    return situation("reading_paper_pdf", "reading_docs", "reads a survey paper in a PDF viewer for three "
                     "minutes", s)


def reading_mdn() -> Situation:
    s = Script()
    s.desk("code", "code", vscode("api.js", "dashboard"))
    s.desk("web", "chromium", chromium("Using the Fetch API - Web APIs | MDN"))
    s.scroll(100, 0.25).focus("code").type(30, cps=3).focus("web").scroll(20, 0.3).focus("code")
    s.type(30, cps=3).keys("ctrl+s")
    return situation("reading_mdn", "reading_docs", "reads MDN on fetch, codes, checks one detail, codes", s)


def video_lecture() -> Situation:
    s = Script()
    s.desk("web", "firefox", firefox("Lecture 7: Dynamic Programming - YouTube"))
    s.wait(120).keys("space", then=20).keys("space").wait(100)
    return situation("video_lecture", "video", "watches a lecture on YouTube for four minutes, pausing once", s)


def video_mpv_film() -> Situation:
    s = Script()
    s.desk("files", "nautilus", "Videos")
    s.open("player", "mpv", "harbour-timelapse-4k.mp4 - mpv").keys("f", then=180)
    return situation("video_mpv_film", "video", "plays a local video in mpv, full screen", s)


def meeting_zoom_notes() -> Situation:
    s = Script()
    s.desk("notes", "gedit", "standup-notes.md (~/work) - gedit")
    s.desk("zoom", "zoom", "Zoom Meeting")
    s.wait(60).focus("notes").type(15, cps=3).focus("zoom").wait(60).focus("notes").type(10, cps=3)
    s.focus("zoom").wait(60)
    return situation("meeting_zoom_notes", "meeting", "a Zoom stand-up with a few notes taken", s)


def meeting_google_meet() -> Situation:
    s = Script()
    s.desk("slack", "slack", "design (Channel) - Acme - Slack")
    s.desk("meet", "chromium", chromium("Meet – wkp-qzbr-tna"))
    s.wait(90).focus("slack").scroll(8, 0.4).focus("meet").wait(90)
    return situation("meeting_google_meet", "meeting", "a Google Meet call in Chromium with one glance at "
                     "Slack", s)


def meeting_teams_screen() -> Situation:
    s = Script()
    s.desk("slides", "evince", "roadmap-h2.pdf")
    s.desk("teams", "firefox", firefox("Meeting with Jonas Weber | Microsoft Teams"))
    s.wait(40).focus("slides").scroll(60, 0.1).focus("teams").wait(60)
    return situation("meeting_teams_screen", "meeting", "a Teams meeting, presenting a PDF for a minute", s)


def alt_tab_searching() -> Situation:
    s = Script()
    windows = [("code", "code", vscode("app.py", "shop")), ("mail", "thunderbird",
               "Inbox - alice@acme.example - Mozilla Thunderbird"), ("slack", "slack",
               "general (Channel) - Acme - Slack"), ("term", "gnome-terminal", "~/shop"),
               ("files", "nautilus", "Downloads")]
    for name, app, title in windows:
        s.desk(name, app, title)
    for i in range(24):
        s.focus(windows[i % len(windows)][0]).wait(1.5)
    s.focus("code").type(60, cps=3)
    return situation("alt_tab_searching", "alt_tab", "cycles through five windows for a minute, then codes", s)


def alt_tab_morning_glance() -> Situation:
    s = Script()
    s.desk("cal", "calendar", "Calendar")
    s.desk("slack", "slack", "general (Channel) - Acme - Slack")
    s.desk("news", "firefox", firefox("Hacker News"))
    s.desk("mail", "thunderbird", "Inbox - alice@acme.example - Mozilla Thunderbird")
    for _ in range(3):
        s.scroll(8, 0.4).focus("slack").scroll(6, 0.4).focus("cal").wait(5).focus("news").scroll(12, 0.3)
        s.focus("mail")
    return situation("alt_tab_morning_glance", "alt_tab", "a morning round of mail, Slack, calendar and news",
                     s)


def idle_lunch() -> Situation:
    s = Script()
    s.desk("pdf", "evince", "budget-2026.pdf")
    s.scroll(25, 0.3).wait(260).focus("pdf").scroll(15, 0.3)
    return situation("idle_lunch", "idle", "reads a PDF, leaves for lunch, comes back", s)


def idle_coffee() -> Situation:
    s = Script()
    s.desk("slack", "slack", "random (Channel) - Acme - Slack")
    s.desk("code", "code", vscode("scheduler.py", "jobs"))
    s.type(20, cps=3).keys("ctrl+s").wait(240).focus("slack").scroll(15, 0.3)
    return situation("idle_coffee", "idle", "saves, walks away for four minutes, comes back to Slack", s)


def open_files_vscode() -> Situation:
    s = Script()
    s.desk("code", "code", "Welcome - Visual Studio Code")
    for title in (vscode("README.md", "ledger"), vscode("setup.py", "ledger"), vscode("config.yaml", "ledger"),
                  vscode("ledger.py", "ledger")):
        s.keys("ctrl+p", then=1.0).type(2, cps=5).keys("Return", then=0.5).title(title).scroll(8, 0.5)
    s.type(60, cps=3).keys("ctrl+s")
    return situation("open_files_vscode", "open_files", "opens a project's files one after the other, then "
                     "edits one", s)


def open_notes_and_write() -> Situation:
    s = Script()
    s.desk("files", "nautilus", "Documents")
    s.open("doc", "gedit", "meeting-notes.md (~/Documents) - gedit").wait(3)
    s.type(45, cps=3).keys("ctrl+s").type(45, cps=3).keys("ctrl+s")
    return situation("open_notes_and_write", "open_files", "opens meeting-notes.md and writes for 90 s", s)


def open_downloads() -> Situation:
    s = Script()
    s.desk("files", "nautilus", "Downloads")
    s.open("pdf", "evince", "invoice-0423.pdf").scroll(10, 0.4).close("pdf")
    s.focus("files").open("sheet", "calc", "budget-2026.ods - LibreOffice Calc").scroll(15, 0.4).close("sheet")
    s.focus("files").open("img", "evince", "floor-plan.pdf").scroll(10, 0.4)
    return situation("open_downloads", "open_files", "opens an invoice, a budget and a floor plan from "
                     "Downloads, a glance each", s)


SITUATIONS = (research_printing_press, research_laptops, research_postgres_indexes, reading_asyncio_docs,
              reading_paper_pdf, reading_mdn, video_lecture, video_mpv_film, meeting_zoom_notes,
              meeting_google_meet, meeting_teams_screen, alt_tab_searching, alt_tab_morning_glance, idle_lunch,
              idle_coffee, open_files_vscode, open_notes_and_write, open_downloads)
