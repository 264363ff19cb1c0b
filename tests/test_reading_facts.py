"""Research and page summaries: the answer says which pages the user read on the search, on which sites and what
kind of source each is (from the window titles), never what a page says without its text; a small model that
only copies back what the user did, or goes round inside one sentence, is cut. A scripted backend stands in for
the model (streams like those SmolLM2-135M wrote in bench/results/answers.answers.jsonl); no model runs."""

from __future__ import annotations

from models.answer import ECHO_NOTE, AnswerContext, AnswerSession
from models.facts import Evidence, gather
from models.facts.reading import pages_read, source_kind
from models.filler import RepeatGuard
from tests.test_reply_drafts import Scripted  # a backend streaming a fixed text, as a model would

# Sessions invented for these tests.
QUERY = "history of the printing press in Europe"
PRESS = (
    f"The user searches Google for '{QUERY}'.",
    "The user scrolls through Firefox for 10 seconds.",
    "The user switches to Firefox and reads 'Printing press - Wikipedia'.",
    "The user scrolls through 'Printing press - Wikipedia' in Firefox for 30 seconds.",
    "The user switches to Firefox and reads 'How Gutenberg changed the world - History Today'.",
    "The user scrolls through 'How Gutenberg changed the world - History Today' in Chromium for 45 seconds.",
    "The user scrolls through 'How Gutenberg changed the world - History Today' in Chromium for 1 minute.",
    "The user reads 'history - Did movable type reach Europe from Korea? - History Stack Exchange' in Firefox.",
)
FASTING = (
    "The user reads 'Weekly meal plan - Notion' in Firefox.",
    "The user searches Google for 'is intermittent fasting good for weight loss'.",
    "The user reads 'My 6 months of intermittent fasting - Medium' in Chromium.",
    "The user reads 'Anyone lose weight with 16:8? : r/loseit' in Chromium.",
    "The user switches to Vivaldi and reads 'Intermittent fasting explained - YouTube'.",
    "The user scrolls through 'Intermittent fasting explained - YouTube' in Vivaldi for 2 minutes.",
)


def research(history: tuple[str, ...], query: str, model_text: str) -> str:
    task = f"Find a few reliable sources on '{query}' and sum up what they agree on."
    ev = Evidence(task=task, kind="research", query=query, texts=history)
    session = AnswerSession(Scripted(model_text), AnswerContext(task, observations=history, kind="research"),
                            facts=lambda: gather(ev))
    stream = session.start()
    text = stream.stream.read_all()
    assert stream.answer(timeout=10) is not None
    return text


def test_the_pages_read_on_a_search_with_their_sites_and_time() -> None:
    pages = pages_read(list(PRESS), QUERY)
    assert [(p.title, p.site) for p in pages] == [
        ("Printing press", "Wikipedia"),
        ("How Gutenberg changed the world", "History Today"),
        ("Did movable type reach Europe from Korea?", "History Stack Exchange"),
    ]
    assert [p.seconds for p in pages] == [30.0, 105.0, 0.0]  # read in two stretches: added up
    # only what came after the search counts; a Reddit thread names its subreddit, not " - Reddit"
    fasting = pages_read(list(FASTING), "is intermittent fasting good for weight loss")
    assert [(p.title, p.site) for p in fasting][1:] == [("Anyone lose weight with 16:8?", "Reddit, r/loseit"),
                                                         ("Intermittent fasting explained", "YouTube")]
    [thread] = pages_read(["The user reads 'Does coffee ruin sleep? : r/Coffee - Reddit' in Firefox."])
    assert (thread.title, thread.site) == ("Does coffee ruin sleep?", "Reddit, r/Coffee")


def test_each_site_gets_the_kind_of_source_it_is() -> None:
    assert source_kind("Wikipedia") == ("an encyclopedia", "reliable")
    assert source_kind("PubMed")[1] == "reliable"
    assert source_kind("", "PostgreSQL: Documentation: 16: 11.8. Partial Indexes")[0] == "official documentation"
    assert source_kind("Reddit, r/loseit")[1] == "opinion"
    assert source_kind("Medium") == ("a blog", "opinion")
    assert source_kind("The Verge")[1] == "check"
    assert source_kind("Sleep Foundation") == ("", "")  # not known: said so, never guessed
    # words that are a source's name in capitals, and a title's words, say nothing about the site
    assert source_kind("", "Who invented the printing press?") == ("", "")
    assert source_kind("", "How to write a journal entry every day") == ("", "")
    assert source_kind("Doctor Who Wiki") == ("", "")
    assert source_kind("WHO")[1] == "reliable"


def test_a_research_answer_lists_what_can_be_cited_and_never_what_the_pages_say() -> None:
    text = research(PRESS, QUERY, "The printing press was invented by Gutenberg and changed Europe.")
    facts = text.split("**Explanation**", 1)[0]
    assert "You opened 3 pages on 'history of the printing press in Europe'; you can cite 1 of them." in facts
    assert "'Printing press' (Wikipedia): an encyclopedia; a source you can cite" in facts
    assert "History Stack Exchange): a Q&A site or forum" in facts
    assert "What the pages say: this assistant sees their titles, not their text." in facts
    assert "Meal plan" not in facts and "Notion" not in facts


def test_only_opinions_read_says_which_kind_of_source_to_find_next() -> None:
    text = research(FASTING, "is intermittent fasting good for weight loss", "")
    assert "'Intermittent fasting explained' (YouTube): a video; one person's view" in text
    assert "None of them is an encyclopedia, official documentation, a journal or a public body's page" in text


def test_a_model_that_only_copies_back_what_the_user_did_shows_nothing_of_it() -> None:
    echo = ("The user reads 'My 6 months of intermittent fasting - Medium' in Chromium.\n"
            "The user reads 'Anyone lose weight with 16:8? : r/loseit' in Chromium.\n")
    text = research(FASTING, "is intermittent fasting good for weight loss", echo)
    model = text.split("not checked):", 1)[1]
    assert "The user reads" not in model
    assert ECHO_NOTE.strip() in model


def test_a_sentence_that_goes_round_is_cut_and_its_own_words_are_kept() -> None:
    page = "Caffeine effects on sleep taken 0, 3, or 6 hours before going to bed - PubMed"
    loop = "The pages agree that caffeine late in the day hurts sleep" + f" and then reads a page titled '{page}'" * 30
    guard = RepeatGuard()
    shown = ""
    for i in range(0, len(loop), 5):
        shown += guard.feed(loop[i:i + 5])
        if guard.stopped:
            break
    shown += guard.flush()
    assert guard.stopped
    assert shown.startswith("The pages agree that caffeine late in the day hurts sleep")
    assert shown.count(page) <= 3
    # a real answer that mentions the user's page in its own words is shown whole
    own = RepeatGuard(echoes=["The user reads 'Printing press - Wikipedia' in Firefox."])
    said = own.feed("Wikipedia's page on the printing press is a source you can cite. ") + own.flush()
    assert said.strip() == "Wikipedia's page on the printing press is a source you can cite."


def test_a_page_summary_without_the_page_text_says_how_to_give_it() -> None:
    ev = Evidence(task="Summarise the key points of 'Printing press'.", kind="summarise_pages",
                  texts=("The user reads 'Printing press - Wikipedia' in Firefox.",))
    sheet = gather(ev)
    assert any("not the page's text" in n and "assist.use_clipboard" in n for n in sheet.unverified)
    with_text = gather(Evidence(task=ev.task, kind=ev.kind, texts=ev.texts,
                                clipboard="Gutenberg built his press in Mainz around 1440. It spread fast."))
    assert not with_text.unverified


def test_narration_in_the_models_own_words_is_dropped_but_advice_about_the_user_is_kept() -> None:
    said = ("The user reads 'Intermittent fasting explained - YouTube' in Chromium for 2 minutes.\n"
            "The user reads a page titled 'Anyone lose weight with 16:8? : r/loseit' and then reads a page titled "
            "'My 6 months of intermittent fasting - Medium'.\n"
            "The user could look for a review in a medical journal next.\n")
    guard = RepeatGuard(echoes=FASTING)
    shown = "".join(guard.feed(said[i:i + 4]) for i in range(0, len(said), 4)) + guard.flush()
    assert shown.strip() == "The user could look for a review in a medical journal next."
    assert guard.echoed == 2
