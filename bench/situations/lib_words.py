"""Words: answering e-mail and chat, writing steadily (no need), and writing that stalls.

A reply is a need from opening the message to sending the answer; its evidence is the moment the person
starts answering (the reply window, or typing under the message). Steady writing is flow: no help wanted.
"""

from __future__ import annotations

from bench.situations.lib_code import search
from bench.situations.script import Need, Script, Situation, situation
from bench.situations.titles import chromium, firefox, google, vscode

REPLY = ("draft_reply",)


def thunderbird_board_numbers() -> Situation:
    s = Script()
    s.desk("sheet", "calc", "q3-figures.ods - LibreOffice Calc")
    s.desk("mail", "thunderbird", "Inbox - alice@acme.example - Mozilla Thunderbird")
    s.scroll(8, 0.4).title("Quarterly numbers for the board - Mozilla Thunderbird")
    start = s.now
    s.scroll(40, 0.3).focus("sheet").scroll(15, 0.4).focus("mail")
    s.open("reply", "thunderbird", "Write: Re: Quarterly numbers for the board - Thunderbird")
    evidence = s.now
    s.type(30, cps=3).wait(8).focus("sheet").scroll(8, 0.4).focus("reply").type(40, cps=3).wait(6)
    s.type(20, cps=3).keys("ctrl+Return", then=1.0).close("reply")
    end = s.now
    s.focus("mail", "Inbox - alice@acme.example - Mozilla Thunderbird").scroll(10, 0.4)
    return situation("thunderbird_board_numbers", "email_reply", "reads a question about quarterly numbers, "
                     "checks a spreadsheet, replies in Thunderbird", s,
                     [Need(start, evidence, end, REPLY, "reply to 'Quarterly numbers for the board'")])


def gmail_invitation_reply() -> Situation:
    s = Script()
    s.desk("cal", "calendar", "Calendar")
    s.desk("mail", "chromium", chromium("Inbox (4) - alice.martin@example.com - Gmail"))
    s.scroll(6, 0.4).title(chromium("Design review on Thursday? - alice.martin@example.com - Gmail"))
    start = s.now
    s.scroll(25, 0.3).focus("cal").wait(10).focus("mail").keys("r", then=1.0)
    evidence = s.now
    s.type(35, cps=3).wait(6).type(25, cps=3).keys("ctrl+Return", then=1.0)
    end = s.now
    s.title(chromium("Inbox (3) - alice.martin@example.com - Gmail")).scroll(15, 0.4)
    return situation("gmail_invitation_reply", "email_reply", "answers a meeting question in Gmail after "
                     "checking the calendar", s,
                     [Need(start, evidence, end, REPLY, "reply to 'Design review on Thursday?'")])


def outlook_contract_reply() -> Situation:
    s = Script()
    s.desk("pdf", "evince", "contract-renewal-2025.pdf")
    s.desk("mail", "firefox", firefox("Mail - Alice Martin - Outlook"))
    s.scroll(10, 0.4).title(firefox("Contract renewal – open points - Alice Martin - Outlook"))
    start = s.now
    s.scroll(30, 0.3).focus("pdf").scroll(40, 0.4).focus("mail")
    s.title(firefox("RE: Contract renewal – open points - Alice Martin - Outlook"))
    evidence = s.now
    s.type(30, cps=3).focus("pdf").scroll(15, 0.4).focus("mail").type(45, cps=3).keys("ctrl+Return", then=1.0)
    end = s.now
    s.title(firefox("Mail - Alice Martin - Outlook")).scroll(8, 0.4)
    return situation("outlook_contract_reply", "email_reply", "answers open points on a contract in Outlook "
                     "on the web, going back to the PDF", s,
                     [Need(start, evidence, end, REPLY + ("combine",), "reply about the contract's open points")])


def slack_dm_deploy() -> Situation:
    s = Script()
    s.desk("slack", "slack", "general (Channel) - Acme - Slack")
    s.desk("code", "code", vscode("release.yml", "infra"))
    s.type(30, cps=3).focus("slack").scroll(5, 0.4).title("Maria Lopez (DM) - Acme - Slack")
    start = s.now
    s.wait(15)
    evidence = s.now
    s.type(25, cps=4).focus("code").scroll(10, 0.4).focus("slack").type(20, cps=4).keys("Return", then=1.0)
    end = s.now
    s.wait(8).focus("code").type(30, cps=3)
    return situation("slack_dm_deploy", "chat_reply", "a colleague asks in a Slack DM when the deploy goes out",
                     s, [Need(start, evidence, end, REPLY, "answer Maria's question about the deploy")])


def discord_help_question() -> Situation:
    s = Script()
    s.desk("web", "firefox", firefox("Tutorial: Get started with Go - The Go Programming Language"))
    s.desk("chat", "discord", "#beginners | Gophers - Discord")
    s.scroll(20, 0.3).wait(10)
    start = s.now
    s.focus("web").scroll(15, 0.4).focus("chat")
    evidence = s.now
    s.type(30, cps=4).wait(5).type(15, cps=4).keys("Return", then=1.0)
    end = s.now
    s.wait(10).scroll(10, 0.3)
    return situation("discord_help_question", "chat_reply", "answers a beginner's question in a Discord "
                     "channel, checking a tutorial first", s,
                     [Need(start, evidence, end, REPLY, "answer a question in #beginners")])


def teams_chat_reply() -> Situation:
    s = Script()
    s.desk("doc", "writer", "handover-notes.odt - LibreOffice Writer")
    s.desk("teams", "chromium", chromium("Chat | Jonas Weber | Microsoft Teams"))
    s.wait(12)
    start = s.now
    s.focus("doc").scroll(20, 0.4).focus("teams")
    evidence = s.now
    s.type(40, cps=3).wait(5).type(20, cps=3).keys("Return", then=1.0)
    end = s.now
    s.focus("doc").type(30, cps=3)
    return situation("teams_chat_reply", "chat_reply", "Jonas asks in Teams where the handover notes stand; "
                     "checks the document, answers", s,
                     [Need(start, evidence, end, REPLY, "answer Jonas in Teams")])


def writing_thesis_gedit() -> Situation:
    s = Script()
    s.desk("doc", "gedit", "chapter3.md (~/thesis) - gedit")
    for _ in range(4):
        s.type(45, cps=3).keys("ctrl+s").wait(8)
    return situation("writing_thesis_gedit", "steady_writing", "writes a thesis chapter for four minutes, "
                     "saving now and then", s)


def writing_report_writer() -> Situation:
    s = Script()
    s.desk("web", "firefox", firefox("Eurostat – Energy statistics"))
    s.desk("doc", "writer", "report-q3.odt - LibreOffice Writer")
    s.type(60, cps=3).keys("ctrl+s").focus("web").scroll(10, 0.4).focus("doc").type(60, cps=3)
    s.keys("ctrl+s").wait(5).type(45, cps=3).keys("ctrl+s")
    return situation("writing_report_writer", "steady_writing", "writes a report in LibreOffice, checks one "
                     "figure on a web page", s)


def writing_notes_obsidian() -> Situation:
    s = Script()
    s.desk("notes", "obsidian", "Weekly review - notes - Obsidian v1.6.7")
    s.type(50, cps=3).wait(6).type(50, cps=3).title("Ideas backlog - notes - Obsidian v1.6.7")
    s.type(40, cps=3)
    return situation("writing_notes_obsidian", "steady_writing", "writes a weekly review in Obsidian, then "
                     "adds to the ideas list", s)


def coding_steadily() -> Situation:
    s = Script()
    s.desk("term", "gnome-terminal", "~/compiler")
    s.desk("code", "code", vscode("parser.py", "compiler"))
    s.type(60, cps=3).keys("ctrl+s").type(50, cps=3).keys("ctrl+s").focus("term")
    s.type(2, cps=6).keys("Return", then=0.2).title("pytest -q", then=4).title("~/compiler")
    s.focus("code").type(60, cps=3).keys("ctrl+s")
    return situation("coding_steadily", "steady_writing", "writes code in VS Code for four minutes, tests pass",
                     s)


def thesis_conclusion_stall() -> Situation:
    s = Script()
    s.desk("notes", "evince", "interview-notes.pdf")
    s.desk("doc", "writer", "thesis-final.odt - LibreOffice Writer")
    s.type(45, cps=3).keys("ctrl+s").wait(8).type(6, cps=2)
    start = s.now
    s.wait(40).focus("notes").scroll(15, 0.4).focus("doc").wait(10).type(4, cps=2).keys("BackSpace")
    s.focus("notes").scroll(10, 0.4).focus("doc").wait(15)
    evidence = s.now
    s.focus("notes").scroll(8, 0.4).focus("doc").type(25, cps=2).wait(20).type(30, cps=3).keys("ctrl+s")
    end = s.now
    return situation("thesis_conclusion_stall", "writing_stall", "stuck on a thesis conclusion: long pauses, "
                     "back and forth to the notes", s,
                     [Need(start, evidence, end, ("continue_document", "combine", "resume"),
                           "stuck on the conclusion of thesis-final.odt")])


def report_proofread() -> Situation:
    s = Script()
    s.desk("mail", "thunderbird", "Inbox - alice@acme.example - Mozilla Thunderbird")
    s.desk("doc", "writer", "grant-proposal.odt - LibreOffice Writer")
    s.type(50, cps=3).keys("ctrl+s").keys("ctrl+Home", then=1.0)
    start = s.now
    s.scroll(30, 0.3)
    evidence = s.now
    s.scroll(30, 0.3).type(5, cps=2).scroll(30, 0.3).type(4, cps=2).keys("ctrl+s")
    end = s.now
    s.focus("mail").open("compose", "thunderbird", "Write: Grant proposal draft - Thunderbird").type(20, cps=3)
    return situation("report_proofread", "writing_stall", "finishes a proposal and reads it over from the top "
                     "before sending it", s,
                     [Need(start, evidence, end, ("review_file",), "proofread grant-proposal.odt")])


def research_then_draft() -> Situation:
    s = Script()
    s.desk("web", "firefox", firefox("New Tab"))
    s.desk("doc", "gedit", "blog-post.md (~/blog) - gedit")
    s.type(40, cps=3).keys("ctrl+s").wait(20)
    start = s.now
    s.focus("web")
    search(s, firefox(google("how to structure a technical blog post introduction")))
    s.scroll(8).title(firefox("How to write a good technical blog post intro – Dev Writing Guide"))
    s.scroll(30, 0.3).focus("doc").wait(12).focus("web").scroll(10, 0.3).focus("doc")
    evidence = s.now
    s.wait(10).type(20, cps=2).wait(10).type(30, cps=3).keys("ctrl+s")
    end = s.now
    return situation("research_then_draft", "writing_stall", "cannot start a blog post's introduction; looks "
                     "up how, comes back, hesitates", s,
                     [Need(start, evidence, end, ("continue_document", "combine", "find_example"),
                           "stuck on the introduction of blog-post.md")])


SITUATIONS = (thunderbird_board_numbers, gmail_invitation_reply, outlook_contract_reply, slack_dm_deploy,
              discord_help_question, teams_chat_reply, writing_thesis_gedit, writing_report_writer,
              writing_notes_obsidian, coding_steadily, thesis_conclusion_stall, report_proofread,
              research_then_draft)
