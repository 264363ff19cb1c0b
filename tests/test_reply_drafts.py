"""Drafting a reply: the draft greets the message's sender (never the user the message greeted), lists what it
asks, and the model's own wrong greeting, loops and signature are corrected. A scripted backend stands in for
the model (the same token streams SmolLM2-135M wrote in bench/results/answers.answers.jsonl); no model runs."""

from __future__ import annotations

import pytest

from models.answer import AnswerContext, AnswerSession, build_messages
from models.facts import Evidence, gather
from models.facts.reply import DraftCut, opening, parse_message
from models.streaming import Sink, TokenStream

# Messages invented for these tests.
LEE = ("From: Dr. Lee <lee@uni.example>\nSubject: Access to the survey data\n\nDear Maria,\n\nCould you send me the "
       "cleaned survey data as a CSV file? I need it before the grant meeting on Friday.\n\nBest wishes,\nDr. Lee\n")
PRIYA_BARE = ("From: priya@example.com\nSubject: Slides\n\nHi Sam,\n\ncan you share the slides from Monday? "
              "And which room is the workshop in?\n\nThanks!\n")
ANNA = ("From: Anna Berg <anna@example.org>\nSubject: Design review\n\nHi Sam,\n\nCould you present the new checkout "
        "flow on Thursday at 14:00? Please let me know by Monday.\n\nThanks,\nAnna\n")
SLACK = "Priya Nair  10:42 AM\nHey Sam, are we still on for lunch tomorrow? Can you book the table?\n"
CHAT_COLON = "[10:42] Jonas Weber: Hallo Maria, kannst du mir die Datei bis Freitag schicken?\n"
JUERGEN = ("From: \"Müller, Jürgen\" <j.mueller@firma.example>\nBetreff: Angebot\n\nLiebe Maria,\n\nkönnten Sie mir "
           "das Angebot bis Montag schicken?\n\nViele Grüße\nJürgen\n")
ELODIE = ("From: Élodie Durand <elodie@exemple.example>\nSubject: Réunion\n\nBonjour Søren,\n\nPouvez-vous confirmer "
          "la réunion de jeudi ?\n\nCordialement,\nÉlodie\n")


class Scripted:
    """A backend that streams a fixed text in small pieces, as a model would."""

    name = "scripted:test"

    def __init__(self, text: str) -> None:
        self.text = text
        self.asked: list[dict[str, str]] = []

    def stream(self, messages: list[dict[str, str]], max_tokens: int, stop: list[str] | None = None) -> TokenStream:
        self.asked = messages

        def produce(sink: Sink) -> None:
            for i in range(0, len(self.text), 3):
                if sink.cancelled:
                    return
                sink.emit(self.text[i:i + 3])
            sink.stats.finish_reason = "length"
        return TokenStream(produce, self.name)


def answer(message: str, model_text: str) -> tuple[str, Scripted]:
    backend = Scripted(model_text)
    ev = Evidence(task="Draft a reply", kind="draft_reply", clipboard=message)
    session = AnswerSession(backend, AnswerContext("Draft a reply", clipboard_text=message, kind="draft_reply"),
                            facts=lambda: gather(ev))
    stream = session.start()
    text = stream.stream.read_all()
    assert stream.answer(timeout=10) is not None
    return text, backend


def draft(text: str) -> str:
    return text.split("not checked):", 1)[1].strip()


@pytest.mark.parametrize("message, greeting, user", [
    (LEE, "Dear Dr. Lee,", "Maria"),
    (PRIYA_BARE, "Hi Priya,", "Sam"),
    (ANNA, "Hi Anna,", "Sam"),
    (SLACK, "Hey Priya,", "Sam"),
    (CHAT_COLON, "Hallo Jonas,", "Maria"),
    (JUERGEN, "Hallo Jürgen,", "Maria"),  # "Liebe" is gendered: a neutral German greeting
    (ELODIE, "Bonjour Élodie,", "Søren"),
])
def test_the_reply_greets_the_sender_never_the_user(message: str, greeting: str, user: str) -> None:
    msg = parse_message(message)
    assert opening(msg) == greeting and msg.user == user
    assert user not in opening(msg)


def test_the_model_greeting_the_user_is_corrected_and_its_loops_end() -> None:
    # what SmolLM2-135M wrote for Dr. Lee's message (bench/results/answers.answers.jsonl), then a loop
    model = ("Dear Maria,\n\nI hope this message finds you well.\n\nI will send the CSV file by Thursday.\n\n"
             "Best wishes,\n\nDr. Lee\n</reply>\n\nYou can copy and paste the response.\n" + "P.S.\n\n" * 20)
    text, backend = answer(LEE, model)
    shown = draft(text)
    assert shown.startswith("Dear Dr. Lee,\n\nI hope this message finds you well.")
    assert "Maria," not in shown.split("\n")[0] and "Dear Maria" not in text
    assert shown.rstrip().endswith("Best wishes,\n\nMaria")  # signed by the user, not by Dr. Lee
    assert "</reply>" not in text and "copy and paste" not in text and "P.S." not in text
    prompt = backend.asked[1]["content"]
    assert 'starts "Dear Dr. Lee,"' in prompt and "lee@uni.example" not in prompt  # still redacted


def test_the_checked_part_lists_each_question_and_an_outline_to_fill_in() -> None:
    text, _ = answer(ANNA, "Hi Sam,\n\nCould you present the new checkout flow on Thursday at 14:00? Please let me "
                           "know by Monday.\n\nThanks,\nAnna\n")
    assert "**Explanation**" not in text  # a reply is a draft, and its heading says so
    checked = text.split("**Draft**", 1)[0]
    assert 'It asks: "Could you present the new checkout flow on Thursday at 14:00?"' in checked  # no "Hi Sam,"
    assert 'It requests: "Please let me know by Monday."' in checked
    assert "The reply goes to Anna Berg (the sender); it greets Sam, that is you." in checked
    assert "Answer the question and the request listed below" in checked  # they are below the Fix, not above
    assert checked.startswith("**To answer** (read from the message):")  # nothing was checked on the computer
    outline = checked.split("**Reply outline**", 1)[1]
    assert "Hi Anna,\n\n> Could you present the new checkout flow on Thursday at 14:00?\n[your answer]" in outline
    assert "> Please let me know by Monday.\n[your answer]" in outline and outline.rstrip("`\n").endswith("Thanks,\nSam")
    # the model copying the message back is not a reply: only its greeting (corrected) and signature remain
    assert draft(text) == ("Hi Anna,\n\nThanks,\nSam\n\n*(The model only copied the message back; use the outline "
                           "above.)*")


def test_chat_messages_get_no_letter_closing_and_no_sender_means_no_name() -> None:
    sheet = gather(Evidence(kind="draft_reply", clipboard=SLACK))
    assert sheet.outline.startswith("Hey Priya,") and "Best regards" not in sheet.outline
    assert "> are we still on for lunch tomorrow?" in sheet.outline and "> Can you book the table?" in sheet.outline
    party = gather(Evidence(kind="draft_reply", clipboard="Subject: Farewell lunch for Tom\n\nHi all, we are "
                            "organising a lunch for Tom on 28 June. Can you let me know if you are coming?\n"))
    assert party.outline.startswith("Hi,\n") and "Tom," not in party.outline and "all," not in party.outline
    assert party.facts[0].text == "Subject: Farewell lunch for Tom"


def test_non_english_messages_keep_their_words() -> None:
    sheet = gather(Evidence(kind="draft_reply", clipboard=JUERGEN))
    assert "From: \"Müller, Jürgen\" <j.mueller@firma.example>" in [f.text for f in sheet.facts]
    assert 'It asks: "könnten Sie mir das Angebot bis Montag schicken?"' in [f.text for f in sheet.facts]
    assert sheet.outline.endswith("Viele Grüße\nMaria")  # the sender's closing, as written
    fr = gather(Evidence(kind="draft_reply", clipboard=ELODIE))
    assert fr.outline.startswith("Bonjour Élodie,") and fr.outline.endswith("Cordialement,\nSøren")


def test_a_draft_cut_shows_what_it_can_as_it_streams() -> None:
    cut = DraftCut(parse_message(ANNA))
    assert cut.feed("Hi Sam, thanks") == ""  # the first line is judged once it is complete
    assert cut.feed(" for asking.\nThursday works") == "Thanks for asking.\nThursday works"
    assert cut.feed(" for me.\nAnna\nAnna\n") == " for me.\nSam\n" and cut.stopped
    placeholder = DraftCut(parse_message(LEE))
    shown = "".join(placeholder.feed(p) for p in ("Dear Maria,\nSure.\nBest,\n[Your", " Name]")) + placeholder.flush()
    assert shown == "Sure.\nBest,\nMaria" and placeholder.note == ""


def test_the_prompt_says_how_the_reply_starts_only_for_a_message_to_answer() -> None:
    sheet = gather(Evidence(kind="draft_reply", clipboard=LEE))
    ask = build_messages(AnswerContext("Draft a reply", kind="draft_reply"), 6000, (), sheet)[1]["content"]
    assert ask.rstrip().endswith('The reply starts "Dear Dr. Lee," (already written). Write what comes after it: '
                                 "answer each question and request, short and polite.")
    plain = build_messages(AnswerContext("Draft a reply", kind="draft_reply"), 6000)[1]["content"]
    assert "already written" not in plain


def test_a_new_message_asks_for_what_was_written_not_for_a_message_to_answer() -> None:
    writing = Evidence(task="Draft the message you are writing in Gmail.", kind="draft_reply",
                       texts=("The user switches to Firefox and reads 'New Message - anna@example.org - Gmail'.",))
    [note] = gather(writing).unverified
    assert note.startswith("What you have written so far")
    answering = Evidence(task="Draft a reply to 'Invoice 2231 overdue' in Evolution.", kind="draft_reply",
                         texts=("The user switches to Evolution ('Re: Invoice 2231 overdue').",))
    [note] = gather(answering).unverified
    assert note.startswith("The text of the message")
